using System.Security.Cryptography;
using System.Text;

namespace MySqlProxy.Protocol;

/// <summary>
/// mysql_native_password: SHA1(password) XOR SHA1(challenge + SHA1(SHA1(password)))
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "mysql_native_password is defined on SHA-1; the protocol leaves no choice.")]
public static class NativePassword
{
    /// <summary>Length of the challenge and of a non-empty response.</summary>
    public const int ScrambleLength = 20;

    /// <summary>The response a client sends for <paramref name="password"/>; empty for an empty password.</summary>
    public static byte[] Scramble(string password, ReadOnlySpan<byte> challenge)
    {
        if (password.Length == 0)
        {
            return [];
        }

        Span<byte> stage1 = stackalloc byte[20];
        Span<byte> stage2 = stackalloc byte[20];
        SHA1.HashData(Encoding.UTF8.GetBytes(password), stage1);
        SHA1.HashData(stage1, stage2);
        return Xor(stage1, challenge[..ScrambleLength], stage2);
    }

    /// <summary>Checks a client's response in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> response, string password, ReadOnlySpan<byte> challenge)
    {
        if (password.Length == 0)
        {
            return response.Length == 0;
        }

        if (response.Length != ScrambleLength)
        {
            return false;
        }

        byte[] expected = Scramble(password, challenge);
        return CryptographicOperations.FixedTimeEquals(expected, response);
    }

    /// <summary>A fresh 20-byte challenge of printable, non-NUL bytes, as servers send.</summary>
    public static byte[] NewChallenge()
    {
        byte[] challenge = new byte[ScrambleLength];
        RandomNumberGenerator.Fill(challenge);
        for (int i = 0; i < challenge.Length; i++)
        {
            // As the server's generate_user_salt: 7-bit, never NUL (clients read the challenge as a C string) nor '$'.
            byte b = (byte)(challenge[i] & 0x7F);
            challenge[i] = b is 0 or (byte)'$' ? (byte)(b + 1) : b;
        }

        return challenge;
    }

    private static byte[] Xor(ReadOnlySpan<byte> stage1, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> stage2)
    {
        Span<byte> input = stackalloc byte[challenge.Length + stage2.Length];
        challenge.CopyTo(input);
        stage2.CopyTo(input[challenge.Length..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        byte[] result = new byte[20];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (byte)(stage1[i] ^ hash[i]);
        }

        return result;
    }
}
