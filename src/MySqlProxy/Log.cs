using Microsoft.Extensions.Logging;

namespace MySqlProxy;

/// <summary>Log messages of the executable (configuration), ids 6xxx.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Configuration reloaded: routing has {Rules} rules, max_replica_lag {MaxLag}")]
    public static partial void Reloaded(ILogger logger, int rules, string maxLag);

    [LoggerMessage(6001, LogLevel.Error, "Configuration reload refused, the running settings stay: {Reason}")]
    public static partial void ReloadRefused(ILogger logger, string reason);

    [LoggerMessage(6010, LogLevel.Information, "Backup agent listening on {Address}")]
    public static partial void AgentListening(ILogger logger, string address);
}
