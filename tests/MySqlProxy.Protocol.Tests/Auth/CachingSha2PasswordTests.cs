using System.Security.Cryptography;
using System.Text;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Auth;

public sealed class CachingSha2PasswordTests
{
    [Theory]
    // Vectors computed independently (Python hashlib) from XOR(SHA256(pw), SHA256(SHA256(SHA256(pw)) || nonce)).
    [InlineData("app", "0102030405060708090a0b0c0d0e0f1011121314", "589cc07410973684546efd93ae82848ddc37b9eb72956fe2ff78156d25251073")]
    [InlineData("pässwörd", "303132333435363738396162636465666768696a", "e8cbd1b433075d295c95ebd6eea9478a1a25d0b69e63abe0c817703d9039c3cd")]
    public void Scramble_KnownVector_Matches(string password, string nonce, string expected) =>
        Assert.Equal(expected, Hex.Of(CachingSha2Password.Scramble(password, Hex.Bytes(nonce))).ToLowerInvariant());

    [Theory]
    [InlineData("app")]
    [InlineData("a much longer password with spaces")]
    public void Scramble_AnyPassword_MatchesTheFormula(string password)
    {
        byte[] nonce = NativePassword.NewChallenge();
        byte[] p1 = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        byte[] p2 = SHA256.HashData(p1);
        byte[] p3 = SHA256.HashData([.. p2, .. nonce]);
        byte[] expected = [.. p1.Zip(p3, (a, b) => (byte)(a ^ b))];

        Assert.Equal(expected, CachingSha2Password.Scramble(password, nonce));
    }

    [Fact]
    public void Scramble_NonceWithTrailingNul_IgnoresIt()
    {
        byte[] nonce = NativePassword.NewChallenge();

        Assert.Equal(CachingSha2Password.Scramble("app", nonce), CachingSha2Password.Scramble("app", [.. nonce, 0]));
    }

    [Fact]
    public void Scramble_EmptyPassword_IsEmpty() =>
        Assert.Empty(CachingSha2Password.Scramble(string.Empty, NativePassword.NewChallenge()));

    [Fact]
    public void EncryptPassword_ServerKey_DecryptsToPasswordXorNonce()
    {
        using RSA server = RSA.Create(2048);
        string pem = server.ExportSubjectPublicKeyInfoPem();
        byte[] nonce = NativePassword.NewChallenge();

        byte[] encrypted = CachingSha2Password.EncryptPassword("a password longer than the twenty-byte nonce", nonce, pem);

        byte[] plain = server.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1);
        for (int i = 0; i < plain.Length; i++)
        {
            plain[i] ^= nonce[i % nonce.Length];
        }

        Assert.Equal("a password longer than the twenty-byte nonce\0", Encoding.UTF8.GetString(plain));
    }
}
