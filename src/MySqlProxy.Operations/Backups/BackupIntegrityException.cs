namespace MySqlProxy.Operations.Backups;

/// <summary>A stored object is not what was written: wrong key, changed bytes, truncated, or its size or SHA-256 differs from the manifest.</summary>
public sealed class BackupIntegrityException : Exception
{
    public BackupIntegrityException()
    {
    }

    public BackupIntegrityException(string message)
        : base(message)
    {
    }

    public BackupIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
