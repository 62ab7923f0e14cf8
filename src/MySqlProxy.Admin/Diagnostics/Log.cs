using Microsoft.Extensions.Logging;

namespace MySqlProxy.Admin.Diagnostics;

/// <summary>Log messages of the admin endpoint, ids 5xxx (<see cref="EventIds"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.AdminListening, LogLevel.Information, "Admin endpoint listening on {Address}")]
    public static partial void AdminListening(ILogger logger, string address);

    [LoggerMessage(EventIds.AdminTokenMissing, LogLevel.Warning, "admin.token is empty: the admin endpoint refuses every path but /healthz and /readyz (403) until a token is set")]
    public static partial void AdminTokenMissing(ILogger logger);

    [LoggerMessage(EventIds.AdminNotLoopback, LogLevel.Warning, "Admin endpoint listens on {Endpoint}, beyond loopback, over plain HTTP: the bearer token travels in clear")]
    public static partial void AdminNotLoopback(ILogger logger, string endpoint);

    [LoggerMessage(EventIds.AdminStopped, LogLevel.Information, "Stopped admin endpoint")]
    public static partial void AdminStopped(ILogger logger);

    [LoggerMessage(EventIds.AdminUnauthorized, LogLevel.Information, "Admin request {Method} {Path} from {Remote} refused: {Reason}")]
    public static partial void AdminUnauthorized(ILogger logger, string method, string path, string? remote, string reason);

    [LoggerMessage(EventIds.BackendChanged, LogLevel.Information, "Backend {Backend} changed through the admin endpoint: weight {Weight}, state {State}, max_lag {MaxLag}")]
    public static partial void BackendChanged(ILogger logger, string backend, int weight, string state, string maxLag);

    [LoggerMessage(EventIds.BackendAdded, LogLevel.Information, "Backend {Backend} ({Host}:{Port}, weight {Weight}) added through the admin endpoint")]
    public static partial void BackendAdded(ILogger logger, string backend, string host, int port, int weight);

    [LoggerMessage(EventIds.BackendRemoved, LogLevel.Information, "Backend {Backend} removed through the admin endpoint after waiting {WaitedMs:0} ms for its work")]
    public static partial void BackendRemoved(ILogger logger, string backend, double waitedMs);

    [LoggerMessage(EventIds.RoutingChanged, LogLevel.Information, "Routing changed through the admin endpoint: max_replica_lag {MaxLag}, read_your_writes {ReadYourWrites}, reads_on_primary {ReadsOnPrimary}, {Rules} rules")]
    public static partial void RoutingChanged(ILogger logger, string maxLag, bool readYourWrites, string readsOnPrimary, int rules);

    [LoggerMessage(EventIds.RuleAdded, LogLevel.Information, "Rule added through the admin endpoint at index {Index}: {Rule}")]
    public static partial void RuleAdded(ILogger logger, int index, string rule);

    [LoggerMessage(EventIds.RuleRemoved, LogLevel.Information, "Rule {Index} removed through the admin endpoint: {Rule}")]
    public static partial void RuleRemoved(ILogger logger, int index, string rule);

    [LoggerMessage(EventIds.RuntimeLoaded, LogLevel.Information, "Run-time settings from {Path} applied over the configuration: {Backends} backends{Routing}")]
    public static partial void RuntimeLoaded(ILogger logger, string path, int backends, string routing);

    [LoggerMessage(EventIds.RuntimeUnreadable, LogLevel.Error, "Run-time settings file {Path} cannot be read ({Reason}); starting from the configuration alone, the file is kept as {Kept}")]
    public static partial void RuntimeUnreadable(ILogger logger, string path, string reason, string kept);

    [LoggerMessage(EventIds.RuntimeUnknownBackend, LogLevel.Warning, "Run-time settings for backend {Backend} ignored: the configuration has no backend of that name")]
    public static partial void RuntimeUnknownBackend(ILogger logger, string backend);

    [LoggerMessage(EventIds.RuntimeRejected, LogLevel.Error, "Run-time setting {Key} from {Path} refused, the configuration's value stays: {Reason}")]
    public static partial void RuntimeRejected(ILogger logger, string key, string path, string reason);

    [LoggerMessage(EventIds.RuntimeSaveFailed, LogLevel.Error, "Run-time settings could not be saved to {Path}: the change is in force but will not survive a restart")]
    public static partial void RuntimeSaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventIds.RuntimeRoutingReplaced, LogLevel.Information, "Routing from the reloaded configuration replaces the routing set through the admin endpoint")]
    public static partial void RuntimeRoutingReplaced(ILogger logger);

    [LoggerMessage(EventIds.SamplerFailed, LogLevel.Warning, "Sampling statement counters failed")]
    public static partial void SamplerFailed(ILogger logger, Exception exception);
}
