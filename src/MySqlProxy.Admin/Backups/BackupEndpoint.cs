using MySqlProxy.Operations.Backups.Engine;

namespace MySqlProxy.Admin.Backups;

/// <summary>
/// The backup work this admin endpoint serves itself: a <see cref="BackupService"/> in this process, or none
/// (backups not configured, or forwarded to an agent on the database host).
/// </summary>
internal sealed class BackupEndpoint(BackupService? service)
{
    public BackupService? Service { get; } = service;
}
