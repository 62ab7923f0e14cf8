using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MySqlProxy.Operations.Backups.Crypto;
using MySqlProxy.Operations.Backups.Storage;
using ZstdSharp;

namespace MySqlProxy.Operations.Backups.Repository;

/// <summary>
/// A backup repository in the manner of pgBackRest, over any <see cref="IBackupStore"/>:
/// <code>
/// backup.info, backup.info.copy              index of complete backups (two copies)
/// backup/&lt;label&gt;/backup.manifest(.copy)      one manifest per backup: objects with size and SHA-256
/// backup/&lt;label&gt;/data.xbstream.zst.aes      the mariadb-backup stream, zstd-compressed, encrypted
/// archive/archive.info(.copy)                archived binlogs with first/last GTID and time
/// archive/&lt;server id&gt;/&lt;binlog&gt;.zst.aes
/// </code>
/// Index and manifest files start with a line <c>sha256:&lt;hex&gt;</c> of the JSON that follows; a copy whose
/// hash does not match is ignored in favour of the other. Every object is read back after upload and
/// checked against the size and SHA-256 the manifest records.
/// </summary>
public sealed class BackupRepository
{
    public const string IndexKey = "backup.info";
    public const string ArchiveIndexKey = "archive/archive.info";
    public const string CopySuffix = ".copy";

    private readonly int _level;

    public BackupRepository(IBackupStore store, BackupKey key, int compressionLevel = 3)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        Store = store;
        Key = key;
        _level = compressionLevel;
    }

    public IBackupStore Store { get; }

    public BackupKey Key { get; }

    public static string ManifestKey(string label) => $"backup/{label}/backup.manifest";

    public static string DataKey(string label) => $"backup/{label}/data.xbstream.zst.aes";

    public static string BinlogKey(long serverId, string name) => $"archive/{serverId}/{name}.zst.aes";

    public async Task<BackupIndex> LoadIndexAsync(CancellationToken cancellationToken) =>
        await LoadInfoAsync<BackupIndex>(IndexKey, cancellationToken).ConfigureAwait(false) ?? new BackupIndex();

    public Task SaveIndexAsync(BackupIndex index, CancellationToken cancellationToken) => SaveInfoAsync(IndexKey, index, cancellationToken);

    public async Task<ArchiveIndex> LoadArchiveAsync(CancellationToken cancellationToken) =>
        await LoadInfoAsync<ArchiveIndex>(ArchiveIndexKey, cancellationToken).ConfigureAwait(false) ?? new ArchiveIndex();

    public Task SaveArchiveAsync(ArchiveIndex index, CancellationToken cancellationToken) => SaveInfoAsync(ArchiveIndexKey, index, cancellationToken);

    public Task<BackupRecord?> LoadManifestAsync(string label, CancellationToken cancellationToken) =>
        LoadInfoAsync<BackupRecord>(ManifestKey(label), cancellationToken);

    public Task SaveManifestAsync(BackupRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return SaveInfoAsync(ManifestKey(record.Label), record, cancellationToken);
    }

    /// <summary>Adds or replaces a backup in its manifest and the index.</summary>
    public async Task PutRecordAsync(BackupRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await SaveManifestAsync(record, cancellationToken).ConfigureAwait(false);
        BackupIndex index = await LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        List<BackupRecord> backups = [.. index.Backups.Where(b => b.Label != record.Label), record];
        backups.Sort((a, b) => BackupLabel.Compare(a.Label, b.Label));
        await SaveIndexAsync(index with { Backups = backups }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores what <paramref name="produce"/> writes as one object, compressed and encrypted on the way (never
    /// staged whole), then reads it back and checks its size and SHA-256.
    /// </summary>
    public async Task<StoredObject> StoreAsync(string key, Func<Stream, CancellationToken, Task> produce, Action<long>? rawProgress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(produce);
        StoredObject stored;
        await using (IObjectUpload upload = await Store.BeginUploadAsync(key, cancellationToken).ConfigureAwait(false))
        {
            var hashed = new HashingWriteStream(upload.Stream);
            var encrypt = new EncryptingStream(hashed, Key, leaveOpen: true);
            var compress = new CompressionStream(encrypt, _level, leaveOpen: true);
            var raw = new HashingWriteStream(compress, rawProgress);
            try
            {
                await produce(raw, cancellationToken).ConfigureAwait(false);
                await raw.FlushAsync(cancellationToken).ConfigureAwait(false);
                await compress.DisposeAsync().ConfigureAwait(false);
                await encrypt.FinishAsync(cancellationToken).ConfigureAwait(false);
                await upload.CompleteAsync(cancellationToken).ConfigureAwait(false);
                stored = new StoredObject(key, hashed.Count, hashed.HashHex(), raw.Count);
            }
            finally
            {
                await raw.DisposeAsync().ConfigureAwait(false);
                await compress.DisposeAsync().ConfigureAwait(false);
                await encrypt.DisposeAsync().ConfigureAwait(false);
                await hashed.DisposeAsync().ConfigureAwait(false);
            }
        }

        await CheckAsync(stored, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>Reads the object back and compares its size and SHA-256 with <paramref name="expected"/>.</summary>
    public async Task CheckAsync(StoredObject expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        long? size = await Store.SizeAsync(expected.Key, cancellationToken).ConfigureAwait(false);
        if (size is null)
        {
            throw new BackupIntegrityException($"{expected.Key}: missing from the repository ({Store.Location})");
        }

        if (size != expected.Size)
        {
            throw new BackupIntegrityException($"{expected.Key}: the store holds {size} bytes, the manifest records {expected.Size}");
        }

        await using Stream stream = await Store.OpenReadAsync(expected.Key, cancellationToken).ConfigureAwait(false);
        using var hashing = new HashingReadStream(stream);
        await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
        Compare(expected, hashing);
    }

    /// <summary>
    /// Gives <paramref name="consume"/> the object's original bytes (decrypted, decompressed, authenticated); when
    /// it is done, checks that the whole stored object matched the manifest's size and SHA-256.
    /// </summary>
    public async Task ReadAsync(StoredObject stored, Func<Stream, CancellationToken, Task> consume, Action<long>? storedProgress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(consume);
        Stream source;
        try
        {
            source = await Store.OpenReadAsync(stored.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException ex)
        {
            throw new BackupIntegrityException($"{stored.Key}: missing from the repository ({Store.Location})", ex);
        }

        using var hashing = new HashingReadStream(source, storedProgress);
        using var decrypt = new DecryptingStream(hashing, Key, stored.Key, leaveOpen: true);
        using var decompress = new DecompressionStream(decrypt, leaveOpen: true);
        try
        {
            await consume(decompress, cancellationToken).ConfigureAwait(false);
        }
        catch (ZstdException ex)
        {
            throw new BackupIntegrityException($"{stored.Key}: not a valid zstd stream after decryption: {ex.Message}", ex);
        }

        await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
        Compare(stored, hashing);
    }

    /// <summary>Deletes a backup's objects, manifest and index entry.</summary>
    public async Task DeleteBackupAsync(string label, CancellationToken cancellationToken)
    {
        BackupIndex index = await LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        await SaveIndexAsync(index with { Backups = [.. index.Backups.Where(b => b.Label != label)] }, cancellationToken).ConfigureAwait(false);
        foreach (string key in await Store.ListAsync($"backup/{label}/", cancellationToken).ConfigureAwait(false))
        {
            await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static byte[] Serialize<T>(T value)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, RepositoryJson.Options);
        byte[] head = Encoding.ASCII.GetBytes($"sha256:{Convert.ToHexStringLower(SHA256.HashData(json))}\n");
        return [.. head, .. json];
    }

    /// <summary>The value, or null when the hash line does not match the content or the JSON is unreadable.</summary>
    internal static T? Deserialize<T>(byte[] bytes)
        where T : class
    {
        int newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        string head = Encoding.ASCII.GetString(bytes, 0, newline);
        ReadOnlySpan<byte> json = bytes.AsSpan(newline + 1);
        if (!head.StartsWith("sha256:", StringComparison.Ordinal) ||
            !string.Equals(head[7..], Convert.ToHexStringLower(SHA256.HashData(json)), StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, RepositoryJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Compare(StoredObject expected, HashingReadStream actual)
    {
        if (actual.Count != expected.Size || !string.Equals(actual.HashHex(), expected.Sha256, StringComparison.Ordinal))
        {
            throw new BackupIntegrityException(
                $"{expected.Key}: read {actual.Count} bytes with SHA-256 {actual.HashHex()}, the manifest records {expected.Size} bytes with SHA-256 {expected.Sha256}");
        }
    }

    private async Task<T?> LoadInfoAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        byte[]? main = await Store.ReadAllAsync(key, cancellationToken).ConfigureAwait(false);
        byte[]? copy = await Store.ReadAllAsync(key + CopySuffix, cancellationToken).ConfigureAwait(false);
        if (main is null && copy is null)
        {
            return null;
        }

        T? value = main is null ? null : Deserialize<T>(main);
        value ??= copy is null ? null : Deserialize<T>(copy);
        return value ?? throw new BackupIntegrityException($"{key}: both copies are damaged (their SHA-256 lines do not match their content)");
    }

    private async Task SaveInfoAsync<T>(string key, T value, CancellationToken cancellationToken)
    {
        byte[] bytes = Serialize(value);
        await Store.WriteAllAsync(key, bytes, cancellationToken).ConfigureAwait(false);
        await Store.WriteAllAsync(key + CopySuffix, bytes, cancellationToken).ConfigureAwait(false);
    }
}
