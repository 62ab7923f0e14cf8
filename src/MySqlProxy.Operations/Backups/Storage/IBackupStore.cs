namespace MySqlProxy.Operations.Backups.Storage;

/// <summary>
/// Where a repository keeps its objects: a filesystem directory or an S3 bucket. Keys are relative paths with
/// <c>/</c>. An upload becomes visible only when completed; an abandoned one leaves nothing behind.
/// </summary>
public interface IBackupStore
{
    /// <summary>Human-readable location (no secrets), such as <c>/var/backups</c> or <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>Starts writing an object of unknown length.</summary>
    Task<IObjectUpload> BeginUploadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Reads an object; throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>The object's size, or null when it does not exist.</summary>
    Task<long?> SizeAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keys under a prefix.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes an object (no error when it is gone).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>An object being written: write to <see cref="Stream"/>, then <see cref="CompleteAsync"/>; disposing without completing abandons it.</summary>
public interface IObjectUpload : IAsyncDisposable
{
    Stream Stream { get; }

    Task CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>Small-object helpers over <see cref="IBackupStore"/>.</summary>
public static class BackupStoreExtensions
{
    public static async Task WriteAllAsync(this IBackupStore store, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using IObjectUpload upload = await store.BeginUploadAsync(key, cancellationToken).ConfigureAwait(false);
        await upload.Stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        await upload.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The object's bytes, or null when it does not exist.</summary>
    public static async Task<byte[]?> ReadAllAsync(this IBackupStore store, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            await using Stream stream = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
            return memory.ToArray();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
