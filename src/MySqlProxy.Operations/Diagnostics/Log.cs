using Microsoft.Extensions.Logging;

namespace MySqlProxy.Operations.Diagnostics;

/// <summary>Log messages of long work (event ids 3000-3999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "job {JobId} ({Kind}) started")]
    public static partial void JobStarted(ILogger logger, string jobId, string kind);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "job {JobId} ({Kind}) succeeded")]
    public static partial void JobSucceeded(ILogger logger, string jobId, string kind);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "job {JobId} ({Kind}) {State} at step '{Step}': {Error}")]
    public static partial void JobEnded(ILogger logger, string jobId, string kind, string state, string step, string error);

    [LoggerMessage(EventId = 3900, Level = LogLevel.Information, Message = "replica {Name} ({Address}) set up and serving reads after {Seconds:F1} s")]
    public static partial void ReplicaReady(ILogger logger, string name, string address, double seconds);

    [LoggerMessage(EventId = 3901, Level = LogLevel.Warning, Message = "replica set-up of {Name} failed at step '{Step}' ({Error}); undoing on the target and in routing")]
    public static partial void ReplicaSetupUndoing(ILogger logger, string name, string step, string error);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "scheduled {Schedule}: job {JobId}")]
    public static partial void ScheduledRun(ILogger logger, MySqlProxy.Operations.Backups.Planning.BackupSchedule schedule, string jobId);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "scheduled {Schedule} skipped: {Reason}")]
    public static partial void ScheduledSkipped(ILogger logger, MySqlProxy.Operations.Backups.Planning.BackupSchedule schedule, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error, Message = "scheduled {Schedule} could not start: {Error}")]
    public static partial void ScheduledFailed(ILogger logger, MySqlProxy.Operations.Backups.Planning.BackupSchedule schedule, string error);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "binlog archiving failed (retried in {Interval}): {Error}")]
    public static partial void ArchivingFailed(ILogger logger, TimeSpan interval, string error);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "could not delete the work directory {Dir}: {Error}")]
    public static partial void WorkDirNotDeleted(ILogger logger, string dir, string error);
}
