namespace MySqlProxy.Operations.Backups.Storage;

/// <summary>A repository in a local directory: objects are files, written to <c>.partial</c> and renamed when complete.</summary>
public sealed class FileSystemStore : IBackupStore
{
    private const string PartialSuffix = ".partial";
    private readonly string _root;

    public FileSystemStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root);
    }

    public string Location => _root;

    public Task<IObjectUpload> BeginUploadAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string partial = path + PartialSuffix;
        var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        return Task.FromResult<IObjectUpload>(new Upload(stream, partial, path));
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{key}: no such object in {_root}", key);
        }

        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public Task<long?> SizeAsync(string key, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult<long?>(info.Exists ? info.Length : null);
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        string dir = PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(dir))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        IReadOnlyList<string> keys = [.. Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(PartialSuffix, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];
        return Task.FromResult(keys);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        File.Delete(path);
        string? dir = Path.GetDirectoryName(path);
        if (dir is not null && dir != _root && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
        }

        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        if (key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/'))
        {
            throw new ArgumentException($"bad object key '{key}'", nameof(key));
        }

        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private sealed class Upload(FileStream stream, string partial, string final) : IObjectUpload
    {
        private bool _completed;

        public Stream Stream => stream;

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Move(partial, final, overwrite: true);
            _completed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_completed)
            {
                File.Delete(partial);
            }
        }
    }
}
