using System.Globalization;
using System.Text;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Monitoring;
using MySqlProxy.Core.Routing;
using MySqlProxy.Core.Sessions;

namespace MySqlProxy.Core.Control;

/// <summary>
/// What operators can see and change in a running proxy (the admin endpoint is built on this): backends
/// with their health, lag and load; weights, states and lag limits; routing settings and rules; where a
/// statement would go and why. Changes take effect on the next statement and drop no connection.
/// </summary>
public sealed class ProxyControl
{
    private readonly ProxyContext _context;
    private readonly Lock _lock = new();

    internal ProxyControl(ProxyContext context) => _context = context;

    /// <summary>True while the primary answers its health checks.</summary>
    public bool PrimaryUp => _context.PrimaryPool.Health.IsUp;

    /// <summary>Client sessions logged in now.</summary>
    public int Sessions => _context.Sessions.Count;

    /// <summary>Every backend, the primary first.</summary>
    public IReadOnlyList<BackendView> Backends() => [.. _context.Pools.Select(View)];

    /// <summary>One backend by name, or null.</summary>
    public BackendView? Backend(string name) => _context.FindPool(name) is { } pool ? View(pool) : null;

    /// <summary>
    /// Changes a backend's weight (0-1000), state and own lag limit; null leaves a setting as it is.
    /// Taking a backend offline closes its idle connections. Throws <see cref="KeyNotFoundException"/> for
    /// an unknown name and <see cref="ArgumentOutOfRangeException"/> (naming the field) for a bad value.
    /// </summary>
    public BackendView UpdateBackend(string name, int? weight, BackendState? state, TimeSpan? maxLag, bool clearMaxLag = false)
    {
        BackendPool pool = _context.FindPool(name) ?? throw new KeyNotFoundException($"no backend named '{name}'");
        if (weight is < 0 or > ProxyOptionsValidator.MaxWeight)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"weight must be 0-{ProxyOptionsValidator.MaxWeight}");
        }

        if (maxLag is { } lag && lag <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, "max_lag must be more than 0");
        }

        if (state is { } s && !Enum.IsDefined(s))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "state must be online, draining or offline");
        }

        BackendEndpoint backend = pool.Backend;
        if (weight is int w)
        {
            backend.Weight = w;
        }

        if (clearMaxLag)
        {
            backend.MaxLag = null;
        }
        else if (maxLag is not null)
        {
            backend.MaxLag = maxLag;
        }

        if (state is BackendState newState)
        {
            backend.State = newState;
            if (newState == BackendState.Offline)
            {
                pool.CloseIdle(all: false);
            }
        }

        return View(pool);
    }

    /// <summary>
    /// Adds a replica at run time, without a restart and without touching other sessions. It is listed at once
    /// but gets reads only when the monitor has seen it up, replicating and under its lag limits (until then
    /// <see cref="BackendView.CatchingUp"/> is true for a replica that answers). Throws
    /// <see cref="BackendChangeException"/> naming the field for a bad or duplicate value.
    /// </summary>
    public BackendView AddReplica(BackendOptions replica, BackendState state = BackendState.Online, TimeSpan? maxLag = null)
    {
        ArgumentNullException.ThrowIfNull(replica);
        if (string.IsNullOrWhiteSpace(replica.Name))
        {
            throw new BackendChangeException("name", "a name is required");
        }

        if (replica.Name.Length > 64 || replica.Name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '"' or '\\'))
        {
            throw new BackendChangeException("name", $"'{replica.Name}' is not a usable name (at most 64 characters, no spaces, quotes or slashes)");
        }

        if (string.IsNullOrWhiteSpace(replica.Host))
        {
            throw new BackendChangeException("host", "a host is required");
        }

        if (replica.Port is < 1 or > 65535)
        {
            throw new BackendChangeException("port", $"{replica.Port} is not a port (1-65535)");
        }

        if (replica.Weight is < 0 or > ProxyOptionsValidator.MaxWeight)
        {
            throw new BackendChangeException("weight", $"{replica.Weight} is out of range (0-{ProxyOptionsValidator.MaxWeight})");
        }

        if (maxLag is { } lag && lag <= TimeSpan.Zero)
        {
            throw new BackendChangeException("max_lag", "must be more than 0");
        }

        if (!Enum.IsDefined(state))
        {
            throw new BackendChangeException("state", "must be online, draining or offline");
        }

        BackendPool pool = _context.AddReplica(replica);
        pool.Backend.State = state;
        pool.Backend.MaxLag = maxLag;
        return View(pool);
    }

    /// <summary>
    /// Removes a replica at run time: routes nothing new to it (draining) at once, waits up to
    /// <paramref name="wait"/> for the sessions pinned to it and the statements running on it to finish, then
    /// takes it out of routing and closes its connections. When work is still running after the wait it
    /// stays, draining, and the result says why. The primary cannot be removed. Throws
    /// <see cref="KeyNotFoundException"/> for an unknown name and <see cref="BackendChangeException"/> for the primary.
    /// </summary>
    public async Task<BackendRemoval> RemoveBackendAsync(string name, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        BackendPool pool = _context.FindPool(name) ?? throw new KeyNotFoundException($"no backend named '{name}'");
        if (pool.Backend.Role == BackendRole.Primary)
        {
            throw new BackendChangeException("name", $"'{pool.Backend.Name}' is the primary; it cannot be removed (writes need it)");
        }

        BackendEndpoint backend = pool.Backend;
        if (backend.State == BackendState.Online)
        {
            backend.State = BackendState.Draining;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (pool.InUse > 0 && clock.Elapsed < wait)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        int inUse = pool.InUse;
        if (inUse > 0)
        {
            int pinned = _context.Sessions.Snapshot().Count(s => s.Pins != PinCauses.None && s.Backend?.Pool == pool);
            return new BackendRemoval(backend.Name, false,
                $"{inUse} connection(s) to '{backend.Name}' are still in use after {wait.TotalSeconds:0.#} s ({pinned} session(s) pinned to it by a transaction, lock or session state); it stays draining and gets nothing new — retry with a longer wait, or end those sessions",
                inUse, clock.Elapsed);
        }

        _context.RemoveReplica(pool);
        backend.State = BackendState.Offline;
        await pool.DisposeAsync().ConfigureAwait(false);
        return new BackendRemoval(backend.Name, true, null, 0, clock.Elapsed);
    }

    /// <summary>Per backend: statements by route, latency histogram, waits for a pooled connection.</summary>
    public IReadOnlyList<BackendStatementStats> StatementStats()
    {
        var list = new List<BackendStatementStats>();
        foreach (BackendPool pool in _context.Pools)
        {
            var routed = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (Diagnostics.RouteKind kind in Enum.GetValues<Diagnostics.RouteKind>())
            {
                routed[RouteName(kind)] = pool.Counters.Routed(kind);
            }

            (long waits, TimeSpan waited) = pool.Waits;
            list.Add(new BackendStatementStats(pool.Backend.Name, routed, Diagnostics.StatementCounters.Bounds, pool.Counters.Buckets(),
                pool.Counters.SumSeconds, waits, waited.TotalSeconds));
        }

        return list;
    }

    private static string RouteName(Diagnostics.RouteKind kind) => kind switch
    {
        Diagnostics.RouteKind.Write => "write",
        Diagnostics.RouteKind.Read => "read",
        Diagnostics.RouteKind.ReadOnPrimary => "read_on_primary",
        Diagnostics.RouteKind.Pinned => "pinned",
        _ => "hint",
    };

    /// <summary>A copy of the routing settings in force.</summary>
    public RoutingOptions Routing()
    {
        RoutingOptions current = _context.Router.Options;
        return Copy(current, current.Rules);
    }

    /// <summary>
    /// Puts routing settings in force after validating them; the failures name the keys
    /// (<see cref="ArgumentException"/> with one line per failure).
    /// </summary>
    public void UpdateRouting(RoutingOptions routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        lock (_lock)
        {
            var candidate = new ProxyOptions
            {
                Listen = _context.Options.Listen,
                Admin = _context.Options.Admin,
                Backends = _context.Options.Backends,
                Users = _context.Options.Users,
                Monitor = _context.Options.Monitor,
                Routing = routing,
                Sessions = _context.Options.Sessions,
                Pool = _context.Options.Pool,
            };
            var result = new ProxyOptionsValidator().Validate(null, candidate);
            if (result.Failed)
            {
                throw new ArgumentException(string.Join("\n", result.Failures!));
            }

            _context.Router.Update(Copy(routing, routing.Rules));
        }
    }

    /// <summary>The rules in force, in order.</summary>
    public IReadOnlyList<RuleOptions> Rules() => [.. _context.Router.Options.Rules];

    /// <summary>Adds a rule (at the end, or at <paramref name="index"/>); validated like the file.</summary>
    public void AddRule(RuleOptions rule, int? index = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_lock)
        {
            RoutingOptions current = _context.Router.Options;
            var rules = new List<RuleOptions>(current.Rules);
            if (index is int i && (i < 0 || i > rules.Count))
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be 0-{rules.Count}");
            }

            rules.Insert(index ?? rules.Count, rule);
            UpdateRouting(Copy(current, rules));
        }
    }

    /// <summary>Removes the rule at <paramref name="index"/>.</summary>
    public void RemoveRule(int index)
    {
        lock (_lock)
        {
            RoutingOptions current = _context.Router.Options;
            if (index < 0 || index >= current.Rules.Count)
            {
                throw new KeyNotFoundException($"no rule at index {index} (there are {current.Rules.Count})");
            }

            var rules = new List<RuleOptions>(current.Rules);
            rules.RemoveAt(index);
            UpdateRouting(Copy(current, rules));
        }
    }

    /// <summary>Statement digest statistics, the most total time first (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<QueryView> Queries(int limit = 100)
    {
        Diagnostics.QueryStats stats = _context.QueryStats;
        var views = new List<QueryView>();
        foreach ((ulong digest, Diagnostics.DigestStats entry) in stats.Snapshot())
        {
            long count = entry.Count;
            var perBackend = new Dictionary<string, long>(StringComparer.Ordinal);
            for (int i = 0; i < stats.Backends.Count; i++)
            {
                long n = entry.PerBackend(i);
                if (n > 0 && stats.Backends[i] is { } backend)
                {
                    perBackend[backend] = n;
                }
            }

            views.Add(new QueryView(
                digest.ToString("x16", CultureInfo.InvariantCulture),
                entry.Text,
                count,
                entry.Errors,
                entry.Total.TotalMilliseconds,
                count == 0 ? 0 : entry.Total.TotalMilliseconds / count,
                entry.Percentile(0.99).TotalMilliseconds,
                entry.Max.TotalMilliseconds,
                entry.Rows,
                entry.LastSeen,
                perBackend));
        }

        return [.. views.OrderByDescending(v => v.TotalMs).Take(Math.Max(0, limit))];
    }

    /// <summary>Forgets all digest statistics.</summary>
    public void ResetQueries() => _context.QueryStats.Clear();

    /// <summary>Client sessions pinned now, by cause.</summary>
    public IReadOnlyDictionary<string, int> PinnedSessions()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (ClientSession session in _context.Sessions.Snapshot())
        {
            foreach (PinCauses cause in Enum.GetValues<PinCauses>())
            {
                if (cause != PinCauses.None && (session.Pins & cause) != 0)
                {
                    string key = cause.ToString();
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>
    /// Where <paramref name="sql"/> would go now for a fresh session of <paramref name="user"/> (no pins,
    /// no writes yet), and why: its classification, the hint or rule that decided, and each replica's lag,
    /// lag factor, weight and share of reads.
    /// </summary>
    public RouteExplanation Explain(string sql, string user = "", string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(sql);
        byte[] text = Encoding.UTF8.GetBytes(sql);
        StatementTraits traits = StatementClassifier.Classify(text);
        RouteHint hint = RouteHint.Parse(text);
        Router router = _context.Router;
        QueryRule? rule = hint.Target == HintTarget.None ? router.Rules.Find(text, user, schema) : null;
        RoutingOptions options = router.Options;

        var choices = new List<ReplicaChoice>();
        double total = 0;
        foreach (BackendPool replica in _context.ReplicaPools)
        {
            total += Router.EffectiveWeight(replica, GtidPosition.Empty, hint.MaxLag, options);
        }

        foreach (BackendPool replica in _context.ReplicaPools)
        {
            BackendHealth health = replica.Health;
            TimeSpan limit = replica.Backend.MaxLag is { } own && own < options.MaxReplicaLag.Value ? own : options.MaxReplicaLag.Value;
            double effective = Router.EffectiveWeight(replica, GtidPosition.Empty, hint.MaxLag, options) / 1000.0;
            choices.Add(new ReplicaChoice(replica.Backend.Name, health.IsUp, replica.Backend.State.ToString().ToLowerInvariant(),
                health.SmoothedLag?.TotalMilliseconds, Router.LagFactor(health.SmoothedLag, options.LagFloor.Value, limit),
                replica.Backend.Weight, effective, total > 0 ? effective * 1000 / total : 0));
        }

        bool read = (traits & (StatementTraits.Read | StatementTraits.BeginReadOnlyTransaction)) != 0 && (traits & StatementTraits.Write) == 0;
        HintTarget decided = hint.Target != HintTarget.None ? hint.Target : rule?.Target ?? HintTarget.None;
        string? named = hint.Target != HintTarget.None ? hint.Backend : rule?.Backend;
        (string target, string reason) = decided switch
        {
            HintTarget.Primary => (router.Primary.Backend.Name, hint.Target != HintTarget.None ? "a comment hint asks for the primary" : $"rule {rule!.Index} sends it to the primary"),
            HintTarget.Named => (named!, hint.Target != HintTarget.None ? $"a comment hint names {named}" : $"rule {rule!.Index} names {named}"),
            HintTarget.Replica => (ReplicaTarget(total, options), hint.Target != HintTarget.None ? "a comment hint asks for a replica" : $"rule {rule!.Index} sends it to a replica"),
            _ when !read => (router.Primary.Backend.Name, "it writes, locks, has side effects or changes session state"),
            _ => (ReplicaTarget(total, options), total > 0 ? "a plain read: a replica chosen by weight x lag factor" : $"a plain read, but no replica qualifies (reads_on_primary={options.ReadsOnPrimary.ToString().ToLowerInvariant()})"),
        };

        ulong digest = StatementDigest.Hash(text);
        return new RouteExplanation(target, read ? "read" : "write", TraitNames(traits), hint.Target == HintTarget.None && hint.MaxLag is null ? null : hint.ToString(),
            rule?.Source.ToString(), StatementDigest.Text(text), digest.ToString("x16", CultureInfo.InvariantCulture), reason, choices);
    }

    private string ReplicaTarget(double total, RoutingOptions options) =>
        total > 0 ? "replica" : options.ReadsOnPrimary == ReadsOnPrimary.Never ? "none" : _context.Router.Primary.Backend.Name;

    private static List<string> TraitNames(StatementTraits traits)
    {
        var names = new List<string>();
        foreach (StatementTraits trait in Enum.GetValues<StatementTraits>())
        {
            if (trait != StatementTraits.None && (traits & trait) != 0)
            {
                names.Add(trait.ToString());
            }
        }

        return names;
    }

    private BackendView View(BackendPool pool)
    {
        BackendHealth health = pool.Health;
        BackendEndpoint backend = pool.Backend;
        RoutingOptions options = _context.Router.Options;
        double effective = backend.Role == BackendRole.Replica
            ? Router.EffectiveWeight(pool, GtidPosition.Empty, null, options) / 1000.0
            : backend.State == BackendState.Online && health.IsUp ? backend.Weight : 0;
        bool catchingUp = backend.Role == BackendRole.Replica && health.IsUp && pool.Checks > 0 &&
            (!health.Replicating || health.SmoothedLag is not { } smoothed || smoothed >= EffectiveLimit(backend, options));
        return new BackendView(
            backend.Name,
            backend.Role == BackendRole.Primary ? "primary" : "replica",
            backend.Host,
            backend.Port,
            backend.State,
            health.IsUp,
            backend.Role == BackendRole.Replica ? health.Replicating : null,
            health.Lag?.TotalMilliseconds,
            health.SmoothedLag?.TotalMilliseconds,
            health.SecondsBehindMaster,
            backend.Weight,
            effective,
            backend.MaxLag?.TotalMilliseconds,
            pool.Open,
            pool.InUse,
            pool.Statements,
            pool.Errors,
            health.Position.ToString(),
            health.Error)
        {
            CatchingUp = catchingUp,
        };
    }

    private static TimeSpan EffectiveLimit(BackendEndpoint backend, RoutingOptions options) =>
        backend.MaxLag is { } own && own < options.MaxReplicaLag.Value ? own : options.MaxReplicaLag.Value;

    private static RoutingOptions Copy(RoutingOptions source, IEnumerable<RuleOptions> rules) => new()
    {
        MaxReplicaLag = source.MaxReplicaLag,
        ReadYourWrites = source.ReadYourWrites,
        ReadsOnPrimary = source.ReadsOnPrimary,
        LagFloor = source.LagFloor,
        MinServingReplicas = source.MinServingReplicas,
        HardReplicaLag = source.HardReplicaLag,
        Rules = [.. rules],
    };
}
