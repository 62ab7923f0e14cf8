using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Auth;

[SuppressMessage("Security", "CA5350", Justification = "mysql_native_password is defined on SHA-1; the test recomputes it.")]
public sealed class NativePasswordTests
{
    /// <summary>What MariaDB 10.11 returns for <c>SELECT PASSWORD('app')</c>: the hash stored in mysql.global_priv.</summary>
    private const string MariaDbPasswordApp = "*5BCB3E6AC345B435C7C2E6B7949A04CE6F6563D3";

    /// <summary>What MariaDB 10.11 returns for <c>SELECT PASSWORD('secret')</c>.</summary>
    private const string MariaDbPasswordSecret = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7";

    [Theory]
    [InlineData("app", MariaDbPasswordApp)]
    [InlineData("secret", MariaDbPasswordSecret)]
    public void StoredHash_MariaDbPassword_IsDoubleSha1OfPassword(string password, string stored)
    {
        byte[] doubleSha1 = SHA1.HashData(SHA1.HashData(Encoding.UTF8.GetBytes(password)));

        Assert.Equal(stored, "*" + Hex.Of(doubleSha1));
    }

    [Fact]
    public void Scramble_ChallengeFromMariaDb_GivesTheResponseItAccepted()
    {
        // The server accepted this response for user app (also what the mariadb client computed for the same greeting).
        byte[] response = NativePassword.Scramble("app", Hex.Bytes(MariaDbCaptures.GreetingChallenge));

        Assert.Equal(MariaDbCaptures.AppPasswordResponse, Hex.Of(response).ToLowerInvariant());
    }

    [Theory]
    [InlineData("app", MariaDbPasswordApp)]
    [InlineData("secret", MariaDbPasswordSecret)]
    public void Scramble_AnyChallenge_PassesTheServersCheckAgainstTheStoredHash(string password, string stored)
    {
        // The server's check (sql/password.c check_scramble): SHA1(response XOR SHA1(challenge + stored)) == stored.
        byte[] storedHash = Hex.Bytes(stored[1..]);
        for (int i = 0; i < 20; i++)
        {
            byte[] challenge = NativePassword.NewChallenge();
            byte[] response = NativePassword.Scramble(password, challenge);

            byte[] mask = SHA1.HashData([.. challenge, .. storedHash]);
            byte[] stage1 = [.. response.Zip(mask, (a, b) => (byte)(a ^ b))];
            Assert.Equal(storedHash, SHA1.HashData(stage1));
        }
    }

    [Theory]
    // "0123456789abcdefghij"; vector computed independently with Python hashlib.
    [InlineData("secret", "303132333435363738396162636465666768696a", "f5cac3f3b3df2133feb57db682c71e6ed433a988")]
    [InlineData("app", "736a387872573d676f772b6b5c6a7e5d342e2921", "1fd46c01d6489e27810f30566a39115f7a03bf6f")]
    public void Scramble_KnownVector_Matches(string password, string challenge, string expected)
    {
        Assert.Equal(expected, Hex.Of(NativePassword.Scramble(password, Hex.Bytes(challenge))).ToLowerInvariant());
    }

    [Theory]
    [InlineData("app")]
    [InlineData("p@ss w0rd")]
    [InlineData("pässwörd✓")]
    [InlineData("a-rather-long-password-that-is-longer-than-twenty-bytes")]
    public void Scramble_AnyPassword_MatchesTheFormula(string password)
    {
        byte[] challenge = NativePassword.NewChallenge();
        byte[] stage1 = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        byte[] stage2 = SHA1.HashData(stage1);
        byte[] mask = SHA1.HashData([.. challenge, .. stage2]);
        byte[] expected = [.. stage1.Zip(mask, (a, b) => (byte)(a ^ b))];

        Assert.Equal(expected, NativePassword.Scramble(password, challenge));
    }

    [Fact]
    public void Scramble_ChallengeWithTrailingNul_IgnoresIt()
    {
        byte[] challenge = Hex.Bytes(MariaDbCaptures.GreetingChallenge);

        Assert.Equal(NativePassword.Scramble("app", challenge), NativePassword.Scramble("app", [.. challenge, 0]));
    }

    [Fact]
    public void Scramble_EmptyPassword_IsEmpty() =>
        Assert.Empty(NativePassword.Scramble(string.Empty, NativePassword.NewChallenge()));

    [Fact]
    public void Verify_RightResponse_True()
    {
        byte[] challenge = Hex.Bytes(MariaDbCaptures.GreetingChallenge);

        Assert.True(NativePassword.Verify(Hex.Bytes(MariaDbCaptures.AppPasswordResponse), "app", challenge));
    }

    [Fact]
    public void Verify_OneBitOff_False()
    {
        byte[] challenge = Hex.Bytes(MariaDbCaptures.GreetingChallenge);
        for (int bit = 0; bit < 160; bit += 7)
        {
            byte[] response = Hex.Bytes(MariaDbCaptures.AppPasswordResponse);
            response[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.False(NativePassword.Verify(response, "app", challenge));
        }
    }

    [Fact]
    public void Verify_WrongPasswordOrChallenge_False()
    {
        byte[] challenge = Hex.Bytes(MariaDbCaptures.GreetingChallenge);
        byte[] response = Hex.Bytes(MariaDbCaptures.AppPasswordResponse);

        Assert.False(NativePassword.Verify(response, "App", challenge));
        Assert.False(NativePassword.Verify(response, "app", NativePassword.NewChallenge()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(32)]
    public void Verify_WrongLength_False(int length)
    {
        byte[] challenge = Hex.Bytes(MariaDbCaptures.GreetingChallenge);
        byte[] response = [.. Hex.Bytes(MariaDbCaptures.AppPasswordResponse), .. new byte[12]];

        Assert.False(NativePassword.Verify(response.AsSpan(0, length), "app", challenge));
    }

    [Fact]
    public void Verify_EmptyPasswordEmptyResponse_True() =>
        Assert.True(NativePassword.Verify([], string.Empty, NativePassword.NewChallenge()));

    [Fact]
    public void Verify_EmptyPasswordAnyResponse_False()
    {
        byte[] challenge = NativePassword.NewChallenge();

        Assert.False(NativePassword.Verify(NativePassword.Scramble("x", challenge), string.Empty, challenge));
        Assert.False(NativePassword.Verify([0], string.Empty, challenge));
    }

    [Fact]
    public void NewChallenge_Many_Are20PrintableSafeBytes()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 2000; i++)
        {
            byte[] challenge = NativePassword.NewChallenge();

            Assert.Equal(NativePassword.ScrambleLength, challenge.Length);
            Assert.All(challenge, b =>
            {
                Assert.NotEqual(0, b);
                Assert.NotEqual((byte)'$', b);
                Assert.True(b < 0x80, $"byte 0x{b:X2} has the high bit set");
            });
            seen.Add(Hex.Of(challenge));
        }

        Assert.Equal(2000, seen.Count);
    }
}
