using System.Security.Cryptography;
using System.Text;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Operations.Backups.Crypto;

/// <summary>
/// The repository key: 32 bytes read from <c>backups.encryption.key_file</c> or the environment variable named by
/// <c>key_env</c>, given raw (a 32-byte file), as base64 or as hex. Only its <see cref="Id"/> (a hash) is ever shown.
/// </summary>
public sealed class BackupKey
{
    public const int Size = 32;

    private readonly byte[] _key;

    public BackupKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != Size)
        {
            throw new ArgumentException($"an encryption key has {Size} bytes", nameof(key));
        }

        _key = (byte[])key.Clone();
        byte[] id = SHA256.HashData([.. "mysqlproxy-backup-key-id\n"u8, .. _key]);
        IdBytes = id[..8];
        Id = Convert.ToHexStringLower(IdBytes);
    }

    /// <summary>A public fingerprint of the key (16 hex digits), recorded with every object it encrypts.</summary>
    public string Id { get; }

    internal byte[] IdBytes { get; }

    internal ReadOnlySpan<byte> Material => _key;

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"key {Id}";

    /// <summary>A fresh random key (for tests and <c>mysqlproxy backup keygen</c>).</summary>
    public static BackupKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Loads the configured key; the message of a failure names the key and never contains key material.</summary>
    public static BackupKey Load(BackupEncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.KeyFile))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(options.KeyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"backups.encryption.key_file: cannot read '{options.KeyFile}': {ex.Message}", ex);
            }

            return Parse(bytes, "backups.encryption.key_file");
        }

        if (!string.IsNullOrEmpty(options.KeyEnv))
        {
            string? text = Environment.GetEnvironmentVariable(options.KeyEnv);
            if (string.IsNullOrEmpty(text))
            {
                throw new InvalidOperationException($"backups.encryption.key_env: the environment variable '{options.KeyEnv}' is not set");
            }

            return Parse(Encoding.ASCII.GetBytes(text), "backups.encryption.key_env");
        }

        throw new InvalidOperationException("backups.encryption: set key_file or key_env (backups are always encrypted)");
    }

    /// <summary>A key from raw bytes, base64 or hex text; <paramref name="key"/> names the setting in errors.</summary>
    public static BackupKey Parse(byte[] bytes, string key)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == Size)
        {
            return new BackupKey(bytes);
        }

        string text = Encoding.ASCII.GetString(bytes).Trim();
        if (text.Length == Size * 2 && text.All(char.IsAsciiHexDigit))
        {
            return new BackupKey(Convert.FromHexString(text));
        }

        Span<byte> decoded = stackalloc byte[64];
        if (Convert.TryFromBase64String(text, decoded, out int written) && written == Size)
        {
            return new BackupKey(decoded[..written].ToArray());
        }

        throw new InvalidOperationException($"{key}: not a {Size}-byte key (give 32 raw bytes, 64 hex digits or base64 of 32 bytes; `mysqlproxy backup keygen` makes one)");
    }
}
