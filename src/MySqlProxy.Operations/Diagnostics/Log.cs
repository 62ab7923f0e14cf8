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
}
