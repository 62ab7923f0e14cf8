using System.Security.Cryptography;
using System.Text;

namespace MySqlProxy.Protocol;

/// <summary>
/// The client side of caching_sha2_password, for MySQL 8 backends
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "caching_sha2_password's full authentication prescribes RSA-OAEP with SHA-1.")]
public static class CachingSha2Password
{
    /// <summary>AuthMoreData status byte after the scramble: the server's cache knew the user.</summary>
    public const byte FastAuthSuccess = 0x03;

    /// <summary>AuthMoreData status byte after the scramble: send the password (over TLS, or RSA-encrypted).</summary>
    public const byte PerformFullAuthentication = 0x04;

    /// <summary>The byte a client sends to ask for the server's RSA public key.</summary>
    public const byte RequestPublicKey = 0x02;

    /// <summary>XOR(SHA256(password), SHA256(SHA256(SHA256(password)), nonce)).</summary>
    public static byte[] Scramble(string password, ReadOnlySpan<byte> nonce)
    {
        if (password.Length == 0)
        {
            return [];
        }

        byte[] p1 = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        byte[] p2 = SHA256.HashData(p1);
        byte[] input = [.. p2, .. nonce[..Math.Min(nonce.Length, 20)]];
        byte[] p3 = SHA256.HashData(input);
        for (int i = 0; i < p1.Length; i++)
        {
            p1[i] ^= p3[i];
        }

        return p1;
    }

    /// <summary>The password, NUL-terminated, XORed with the nonce and RSA-OAEP encrypted with the server's PEM key.</summary>
    public static byte[] EncryptPassword(string password, ReadOnlySpan<byte> nonce, string publicKeyPem)
    {
        byte[] plain = [.. Encoding.UTF8.GetBytes(password), 0];
        for (int i = 0; i < plain.Length; i++)
        {
            plain[i] ^= nonce[i % nonce.Length];
        }

        using RSA rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        return rsa.Encrypt(plain, RSAEncryptionPadding.OaepSHA1);
    }
}
