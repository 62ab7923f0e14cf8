using System.Security.Cryptography;
using MySqlProxy.Operations.Backups;
using MySqlProxy.Operations.Backups.Crypto;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Backups.Storage;

namespace MySqlProxy.Operations.Tests.Backups;

public sealed class RepositoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mpx-repo-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly BackupRepository _repo;

    public RepositoryTests()
    {
        _repo = new BackupRepository(new FileSystemStore(_dir), BackupKey.Generate(), 3);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<byte[]> ReadBackAsync(StoredObject stored)
    {
        using var result = new MemoryStream();
        await _repo.ReadAsync(stored, (s, t) => s.CopyToAsync(result, t), null, Ct);
        return result.ToArray();
    }

    [Fact]
    public async Task Store_CompressesEncryptsAndReadsBack()
    {
        byte[] data = new byte[2_000_000];
        RandomNumberGenerator.Fill(data.AsSpan(0, 1000)); // the rest compresses well
        long progress = 0;
        StoredObject stored = await _repo.StoreAsync("backup/x/data", (sink, t) => sink.WriteAsync(data, t).AsTask(), n => progress += n, Ct);
        Assert.Equal(data.Length, stored.RawSize);
        Assert.Equal(data.Length, progress);
        Assert.True(stored.Size < data.Length / 10, $"stored {stored.Size} bytes");
        Assert.Equal(stored.Size, new FileInfo(Path.Combine(_dir, "backup/x/data")).Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(_dir, "backup/x/data"), Ct))), stored.Sha256);
        Assert.Equal(data, await ReadBackAsync(stored));
    }

    [Fact]
    public async Task ZstdLayer_IsARealZstdFrame()
    {
        byte[] data = new byte[10_000];
        using var compressed = new MemoryStream();
        await using (var z = new ZstdSharp.CompressionStream(compressed, 3, leaveOpen: true))
        {
            await z.WriteAsync(data, Ct);
        }

        // zstd frame magic 0xFD2FB528 (little-endian).
        Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, compressed.ToArray()[..4]);
        compressed.Position = 0;
        using var back = new MemoryStream();
        await using (var d = new ZstdSharp.DecompressionStream(compressed))
        {
            await d.CopyToAsync(back, Ct);
        }

        Assert.Equal(data, back.ToArray());
    }

    [Fact]
    public async Task ChangedObject_IsRefused_OnReadAndCheck()
    {
        StoredObject stored = await _repo.StoreAsync("o", (sink, t) => sink.WriteAsync(RandomNumberGenerator.GetBytes(5000), t).AsTask(), null, Ct);
        string path = Path.Combine(_dir, "o");
        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[^30] ^= 1;
        await File.WriteAllBytesAsync(path, bytes, Ct);
        await Assert.ThrowsAsync<BackupIntegrityException>(() => ReadBackAsync(stored));
        BackupIntegrityException ex = await Assert.ThrowsAsync<BackupIntegrityException>(() => _repo.CheckAsync(stored, Ct));
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_RefusesAWrongSize()
    {
        StoredObject stored = await _repo.StoreAsync("o", (sink, t) => sink.WriteAsync(new byte[10], t).AsTask(), null, Ct);
        BackupIntegrityException ex = await Assert.ThrowsAsync<BackupIntegrityException>(() => _repo.CheckAsync(stored with { Size = stored.Size + 1 }, Ct));
        Assert.Contains("manifest records", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedProducer_LeavesNoObject()
    {
        await Assert.ThrowsAsync<IOException>(() => _repo.StoreAsync("gone", async (sink, t) =>
        {
            await sink.WriteAsync(new byte[100], t);
            throw new IOException("tool died");
        }, null, Ct));
        Assert.Null(await _repo.Store.SizeAsync("gone", Ct));
        Assert.Empty(await _repo.Store.ListAsync(string.Empty, Ct));
    }

    private static BackupRecord Record(string label, BackupType type = BackupType.Full, string? parent = null) => new()
    {
        Label = label,
        Type = type,
        Parent = parent,
        Full = label.Split('_')[0],
        StartedAt = BackupLabel.TimeOf(label),
        StoppedAt = BackupLabel.TimeOf(label).AddMinutes(1),
        Gtid = "0-1-5",
    };

    [Fact]
    public async Task Index_IsWrittenTwice_AndSurvivesOneDamagedCopy()
    {
        await _repo.PutRecordAsync(Record("20261124-101500F"), Ct);
        await _repo.PutRecordAsync(Record("20261124-101500F_20261124-111500I", BackupType.Incremental, "20261124-101500F"), Ct);
        Assert.True(File.Exists(Path.Combine(_dir, "backup.info")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_dir, "backup.info"), Ct), await File.ReadAllBytesAsync(Path.Combine(_dir, "backup.info.copy"), Ct));
        Assert.True(File.Exists(Path.Combine(_dir, "backup/20261124-101500F/backup.manifest.copy")));

        // One changed byte in the main copy: the hash line no longer matches, the copy is used.
        string main = Path.Combine(_dir, "backup.info");
        byte[] bytes = await File.ReadAllBytesAsync(main, Ct);
        bytes[^10] ^= 1;
        await File.WriteAllBytesAsync(main, bytes, Ct);
        Assert.Equal(2, (await _repo.LoadIndexAsync(Ct)).Backups.Count);

        // Main gone, copy good.
        File.Delete(main);
        Assert.Equal(2, (await _repo.LoadIndexAsync(Ct)).Backups.Count);

        // Both damaged: refused, never read as empty.
        await File.WriteAllTextAsync(main, "sha256:00\n{}", Ct);
        await File.WriteAllTextAsync(main + ".copy", "garbage", Ct);
        await Assert.ThrowsAsync<BackupIntegrityException>(() => _repo.LoadIndexAsync(Ct));
    }

    [Fact]
    public async Task Delete_RemovesTheBackupsObjectsAndIndexEntry()
    {
        await _repo.PutRecordAsync(Record("20261124-101500F"), Ct);
        await _repo.StoreAsync(BackupRepository.DataKey("20261124-101500F"), (s, t) => s.WriteAsync(new byte[5], t).AsTask(), null, Ct);
        await _repo.DeleteBackupAsync("20261124-101500F", Ct);
        Assert.Empty((await _repo.LoadIndexAsync(Ct)).Backups);
        Assert.Empty(await _repo.Store.ListAsync("backup/", Ct));
    }

    [Fact]
    public void Labels_SortByTime_AndNameTheirChain()
    {
        var t0 = new DateTimeOffset(2026, 11, 24, 10, 15, 0, TimeSpan.Zero);
        string full1 = BackupLabel.Full(t0);
        string inc1 = BackupLabel.Incremental(full1, t0.AddHours(1));
        string inc2 = BackupLabel.Incremental(full1, t0.AddHours(2));
        string full2 = BackupLabel.Full(t0.AddDays(7));
        string inc3 = BackupLabel.Incremental(full2, t0.AddDays(7).AddHours(1));
        Assert.Equal("20261124-101500F", full1);
        Assert.Equal("20261124-101500F_20261124-111500I", inc1);
        string[] shuffled = [inc3, full2, inc1, full1, inc2];
        Assert.Equal([full1, inc1, inc2, full2, inc3], shuffled.Order(StringComparer.Ordinal));
        Assert.Equal(t0.AddHours(1), BackupLabel.TimeOf(inc1));
        Assert.True(BackupLabel.IsValid(inc1));
        Assert.False(BackupLabel.IsValid("../etc"));
        Assert.False(BackupLabel.IsValid("20261124-101500I"));
    }
}
