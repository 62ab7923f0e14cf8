using System.Security.Cryptography;
using MySqlProxy.Operations.Backups;
using MySqlProxy.Operations.Backups.Crypto;

namespace MySqlProxy.Operations.Tests.Backups;

public sealed class ChunkedAesGcmTests
{
    private static readonly BackupKey Key = BackupKey.Generate();

    private static async Task<byte[]> EncryptAsync(byte[] plain, BackupKey key, int chunkSize)
    {
        using var sink = new MemoryStream();
        await using (var encrypt = new EncryptingStream(sink, key, chunkSize, leaveOpen: true))
        {
            // Uneven writes, so chunk boundaries fall inside writes.
            for (int i = 0; i < plain.Length; i += 37)
            {
                await encrypt.WriteAsync(plain.AsMemory(i, Math.Min(37, plain.Length - i)), TestContext.Current.CancellationToken);
            }

            await encrypt.FinishAsync(TestContext.Current.CancellationToken);
        }

        return sink.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] sealedBytes, BackupKey key)
    {
        using var decrypt = new DecryptingStream(new MemoryStream(sealedBytes), key, "object");
        using var plain = new MemoryStream();
        await decrypt.CopyToAsync(plain, TestContext.Current.CancellationToken);
        return plain.ToArray();
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(1, 64)]
    [InlineData(64, 64)]
    [InlineData(65, 64)]
    [InlineData(1000, 64)]
    [InlineData(300_000, ChunkedAesGcm.DefaultChunkSize)]
    public async Task RoundTrip_GivesTheSameBytes(int size, int chunk)
    {
        byte[] plain = RandomNumberGenerator.GetBytes(size);
        byte[] sealedBytes = await EncryptAsync(plain, Key, chunk);
        Assert.Equal(plain, await DecryptAsync(sealedBytes, Key));
    }

    [Fact]
    public async Task SameInput_EncryptsDifferentlyEachTime()
    {
        byte[] plain = new byte[100];
        Assert.NotEqual(await EncryptAsync(plain, Key, 64), await EncryptAsync(plain, Key, 64));
    }

    [Fact]
    public async Task FlippedByte_AnywhereAfterTheHeader_FailsAuthentication()
    {
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(500), Key, 64);
        for (int i = ChunkedAesGcm.HeaderSize; i < sealedBytes.Length; i += 13)
        {
            byte[] copy = (byte[])sealedBytes.Clone();
            copy[i] ^= 0x40;
            await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(copy, Key));
        }
    }

    [Fact]
    public async Task FlippedHeaderByte_IsDetected()
    {
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(100), Key, 64);
        sealedBytes[10] ^= 1;
        await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(sealedBytes, Key));
    }

    [Fact]
    public async Task Truncation_AtAChunkBoundary_IsDetected()
    {
        const int chunk = 64;
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(chunk * 3), Key, chunk);
        int oneChunk = ChunkedAesGcm.ChunkHeaderSize + chunk + ChunkedAesGcm.TagSize;

        // Cut after the first two chunks: every remaining chunk authenticates, but the final one is missing.
        byte[] cut = sealedBytes[..(ChunkedAesGcm.HeaderSize + (2 * oneChunk))];
        BackupIntegrityException ex = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(cut, Key));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncation_InsideAChunk_IsDetected()
    {
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(200), Key, 64);
        await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(sealedBytes[..^5], Key));
    }

    [Fact]
    public async Task ReorderedChunks_FailAuthentication()
    {
        const int chunk = 64;
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(chunk * 3), Key, chunk);
        int one = ChunkedAesGcm.ChunkHeaderSize + chunk + ChunkedAesGcm.TagSize;
        int a = ChunkedAesGcm.HeaderSize;
        byte[] swapped = (byte[])sealedBytes.Clone();
        sealedBytes.AsSpan(a, one).CopyTo(swapped.AsSpan(a + one));
        sealedBytes.AsSpan(a + one, one).CopyTo(swapped.AsSpan(a));
        BackupIntegrityException ex = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(swapped, Key));
        Assert.Contains("failed authentication", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataAfterTheFinalChunk_IsDetected()
    {
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(100), Key, 64);
        await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync([.. sealedBytes, 0], Key));
    }

    [Fact]
    public async Task WrongKey_IsNamedAsSuch()
    {
        byte[] sealedBytes = await EncryptAsync(RandomNumberGenerator.GetBytes(100), Key, 64);
        BackupKey other = BackupKey.Generate();
        BackupIntegrityException ex = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(sealedBytes, other));
        Assert.Contains("wrong key", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Key.Id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_ParsesRawBase64AndHex_AndNeverPrintsItself()
    {
        byte[] raw = RandomNumberGenerator.GetBytes(32);
        string id = new BackupKey(raw).Id;
        Assert.Equal(id, BackupKey.Parse(raw, "k").Id);
        Assert.Equal(id, BackupKey.Parse(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(raw) + "\n"), "k").Id);
        Assert.Equal(id, BackupKey.Parse(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(raw)), "k").Id);
        Assert.DoesNotContain(Convert.ToBase64String(raw), new BackupKey(raw).ToString(), StringComparison.Ordinal);
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => BackupKey.Parse("short"u8.ToArray(), "backups.encryption.key_file"));
        Assert.StartsWith("backups.encryption.key_file", ex.Message, StringComparison.Ordinal);
    }
}
