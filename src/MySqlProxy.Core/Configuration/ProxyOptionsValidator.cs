using System.Net;
using Microsoft.Extensions.Options;

namespace MySqlProxy.Core.Configuration;

/// <summary>Checks proxy.yaml at start; every failure names the key at fault.</summary>
public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public const int MaxWeight = 1000;

    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckEndpoint(failures, "listen.mysql", options.Listen.Mysql);
        CheckEndpoint(failures, "listen.admin", options.Listen.Admin);

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckBackend(failures, "backends.primary", options.Backends.Primary, names, isReplica: false);
        for (int i = 0; i < options.Backends.Replicas.Count; i++)
        {
            CheckBackend(failures, $"backends.replicas[{i}]", options.Backends.Replicas[i], names, isReplica: true);
        }

        if (options.Backends.ConnectTimeout.Value <= TimeSpan.Zero)
        {
            failures.Add("backends.connect_timeout: must be more than 0");
        }

        if (options.Users.Count == 0)
        {
            failures.Add("users: at least one user is required (clients log in with these)");
        }

        var users = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < options.Users.Count; i++)
        {
            string user = options.Users[i].User;
            if (string.IsNullOrEmpty(user))
            {
                failures.Add($"users[{i}].user: required");
            }
            else if (!users.Add(user))
            {
                failures.Add($"users[{i}].user: '{user}' is listed twice");
            }
        }

        if (options.Monitor.Interval.Value < TimeSpan.FromMilliseconds(10))
        {
            failures.Add("monitor.interval: must be at least 10ms");
        }

        if (options.ReplicaSetup.Parallel is < 1 or > 64)
        {
            failures.Add("replica_setup.parallel: must be 1-64");
        }

        if (options.ReplicaSetup.CatchUpTimeout.Value <= TimeSpan.Zero)
        {
            failures.Add("replica_setup.catch_up_timeout: must be more than 0");
        }

        if (options.Routing.MaxReplicaLag.Value <= TimeSpan.Zero)
        {
            failures.Add("routing.max_replica_lag: must be more than 0");
        }

        for (int i = 0; i < options.Routing.Rules.Count; i++)
        {
            RuleOptions rule = options.Routing.Rules[i];
            string key = $"routing.rules[{i}]";
            if (string.IsNullOrEmpty(rule.Match) && string.IsNullOrEmpty(rule.Digest))
            {
                failures.Add($"{key}: needs match (a regular expression) or digest (an example statement)");
            }

            if (!string.IsNullOrEmpty(rule.Match))
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(rule.Match);
                }
                catch (ArgumentException ex)
                {
                    failures.Add($"{key}.match: not a valid regular expression: {ex.Message}");
                }
            }

            if (!rule.Route.Equals("primary", StringComparison.OrdinalIgnoreCase) &&
                !rule.Route.Equals("replica", StringComparison.OrdinalIgnoreCase) && !names.Contains(rule.Route))
            {
                failures.Add($"{key}.route: '{rule.Route}' is not primary, replica or a backend name");
            }
        }

        if (options.Routing.MaxReplicaLag.Value > TimeSpan.Zero && options.Routing.LagFloor.Value >= options.Routing.MaxReplicaLag.Value)
        {
            failures.Add("routing.lag_floor: must be less than routing.max_replica_lag");
        }

        if (options.Routing.MaxReplicaLag.Value > TimeSpan.Zero && options.Routing.HardReplicaLag.Value < options.Routing.MaxReplicaLag.Value)
        {
            failures.Add("routing.hard_replica_lag: must be at least routing.max_replica_lag");
        }

        if (options.Routing.MinServingReplicas < 0)
        {
            failures.Add("routing.min_serving_replicas: must be 0 or more");
        }

        if (!Enum.IsDefined(options.Routing.ReadsOnPrimary))
        {
            failures.Add("routing.reads_on_primary: must be fallback, always or never");
        }

        if (options.Pool.MaxPerBackend < 1)
        {
            failures.Add("pool.max_per_backend: must be at least 1");
        }

        if (options.Pool.BorrowTimeout.Value <= TimeSpan.Zero)
        {
            failures.Add("pool.borrow_timeout: must be more than 0");
        }

        if (options.Pool.IdleTimeout.Value <= TimeSpan.Zero)
        {
            failures.Add("pool.idle_timeout: must be more than 0");
        }

        if (options.Pool.MaxPreparedPerConnection < 1)
        {
            failures.Add("pool.max_prepared_per_connection: must be at least 1");
        }

        if (options.Sessions.MaxConnections < 1)
        {
            failures.Add("sessions.max_connections: must be at least 1");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckEndpoint(List<string> failures, string key, string value)
    {
        if (!IPEndPoint.TryParse(value ?? string.Empty, out IPEndPoint? endpoint) || !value!.Contains(':', StringComparison.Ordinal))
        {
            failures.Add($"{key}: '{value}' is not an address:port such as 127.0.0.1:6033");
        }
        else if (endpoint.Port is < 0 or > 65535)
        {
            failures.Add($"{key}: port {endpoint.Port} is out of range");
        }
    }

    private static void CheckBackend(List<string> failures, string key, BackendOptions backend, HashSet<string> names, bool isReplica)
    {
        if (string.IsNullOrWhiteSpace(backend.Name))
        {
            failures.Add($"{key}.name: required");
        }
        else if (!names.Add(backend.Name))
        {
            failures.Add($"{key}.name: '{backend.Name}' is used by another backend");
        }

        if (string.IsNullOrWhiteSpace(backend.Host))
        {
            failures.Add($"{key}.host: required");
        }

        if (backend.Port is < 1 or > 65535)
        {
            failures.Add($"{key}.port: {backend.Port} is not a port (1-65535)");
        }

        if (isReplica && backend.Weight is < 0 or > MaxWeight)
        {
            failures.Add($"{key}.weight: {backend.Weight} is out of range (0-{MaxWeight})");
        }
    }
}
