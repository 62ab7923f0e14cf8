using System.Diagnostics;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Monitoring;
using MySqlProxy.Core.Routing;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    private RouteHint _hint;
    private GtidPosition _readFloor = GtidPosition.Empty;
    private GtidPosition _writeFloor = GtidPosition.Empty;
    private GtidPosition? _lastGtid;
    private long _primaryReadsUntil;
    private BackendPool? _sticky;
    private int _stickyUntilCheck;
    private bool _autocommitOff;
    private Diagnostics.RouteKind _routeKind;

    /// <summary>What a session must see in its reads: its own writes and what it has read before (read-your-writes, monotonic reads).</summary>
    public GtidPosition ReadFloor => _readFloor;

    /// <summary>
    /// Where the next statement runs. A pinned session stays where it is (a transaction never spans
    /// backends); hints and read/write classification decide the rest; a read goes to a replica that has
    /// applied the session's own writes and everything it read before, else to the primary.
    /// </summary>
    private (BackendPool? Pool, ErrPayload? Error) Route(CommandCode command, StatementTraits traits)
    {
        bool pinnedBefore = _backend?.Pool is not null;
        (BackendPool? Pool, ErrPayload? Error) route = RouteCore(command, traits);
        if (route.Pool is { } pool)
        {
            _routeKind = pinnedBefore ? Diagnostics.RouteKind.Pinned
                : _hint.Target is HintTarget.Named or HintTarget.Primary ? Diagnostics.RouteKind.Hint
                : pool.Backend.Role == BackendRole.Replica ? Diagnostics.RouteKind.Read
                : (_hint.Target == HintTarget.Replica || IsRead(command, traits)) && !_autocommitOff ? Diagnostics.RouteKind.ReadOnPrimary
                : Diagnostics.RouteKind.Write;
        }

        return route;
    }

    private (BackendPool? Pool, ErrPayload? Error) RouteCore(CommandCode command, StatementTraits traits)
    {
        if (_backend?.Pool is { } pinned)
        {
            return (pinned, null);
        }

        RouteHint hint = _hint;
        Router router = _context.Router;
        switch (hint.Target)
        {
            case HintTarget.Named:
                BackendPool? named = _context.FindPool(hint.Backend!);
                return named is null
                    ? (null, new ErrPayload(ErrorCodes.UnknownBackend, "HY000", $"MySqlProxy: unknown backend '{hint.Backend}' in a route hint"))
                    : (named, null);

            case HintTarget.Primary:
                return (router.Primary, null);

            default:
                break;
        }

        bool read = hint.Target == HintTarget.Replica || IsRead(command, traits);
        if (!read || (_autocommitOff && hint.Target != HintTarget.Replica))
        {
            // Writes, session state, and everything while autocommit is off (each statement opens a transaction).
            return (router.Primary, null);
        }

        RoutingOptions options = router.Options;
        GtidPosition floor = GtidPosition.Empty;
        if (options.ReadYourWrites)
        {
            if (_primaryReadsUntil != 0 && Stopwatch.GetTimestamp() < _primaryReadsUntil)
            {
                // A write whose GTID the proxy could not learn: its replicas may not have it yet.
                return (router.Primary, null);
            }

            floor = _readFloor;
        }

        if (_sticky is { } sticky)
        {
            if (sticky.Checks >= _stickyUntilCheck)
            {
                // A check that began after the session's last read there: its position covers what was read.
                _readFloor = _readFloor.Max(sticky.Health.Position);
                floor = options.ReadYourWrites ? _readFloor : floor;
                _sticky = null;
            }
            else if (options.ReadYourWrites && hint.Target == HintTarget.None)
            {
                // Monotonic reads: until the monitor knows what that replica had applied, stay on it (or
                // go to the primary, which has everything).
                if (Router.EffectiveWeight(sticky, floor, hint.MaxLag, options) > 0 && sticky != _avoid)
                {
                    return (sticky, null);
                }

                if (options.ReadsOnPrimary != ReadsOnPrimary.Never)
                {
                    return (router.Primary, null);
                }

                // reads_on_primary: never forbids the primary: another replica that has the session's own
                // writes. The operator's choice outranks strict monotonic reads here (the other replica may
                // be a moment behind the one just read from; requiring its position would fail nearly every
                // such read, since the heartbeat moves the primary's GTID four times a second).
                _sticky = null;
            }
        }

        BackendPool? pool = router.ChooseForRead(floor, hint.MaxLag, _avoid);
        if (pool is null && !ReferenceEquals(floor, _writeFloor) && !_writeFloor.Covers(floor))
        {
            // reads_on_primary: never, and no replica has what this session read before: one that has its own
            // writes serves it (the operator's choice outranks monotonic reads; read-your-writes still holds).
            pool = router.ChooseForRead(_writeFloor, hint.MaxLag, _avoid);
        }

        return pool is null
            ? (null, new ErrPayload(ErrorCodes.NoBackend, "HY000", "MySqlProxy: no replica can serve this read now and routing.reads_on_primary is never"))
            : (pool, null);
    }

    private static bool IsPureSessionState(StatementTraits traits) =>
        (traits & (StatementTraits.SetNames | StatementTraits.SetSystemVariable | StatementTraits.Use)) != 0 &&
        (traits & ~(StatementTraits.SessionState | StatementTraits.SetNames | StatementTraits.SetSystemVariable | StatementTraits.Use)) == 0;

    private static bool IsRead(CommandCode command, StatementTraits traits) =>
        command is CommandCode.Query or CommandCode.StatementExecute &&
        (traits & (StatementTraits.Read | StatementTraits.BeginReadOnlyTransaction)) != 0 &&
        (traits & StatementTraits.Write) == 0;

    /// <summary>After a complete response: what the session's later reads must see.</summary>
    private void AfterRouting(BackendConnection connection, StatementTraits traits, bool error)
    {
        BackendPool? pool = connection.Pool;
        if (pool is null || error)
        {
            return;
        }

        if (pool.Backend.Role == BackendRole.Primary)
        {
            if (_lastGtid is { } gtid)
            {
                _readFloor = _readFloor.Max(gtid);
                _writeFloor = _writeFloor.Max(gtid);
            }
            else if (!connection.IsMariaDb && (traits & StatementTraits.Read) == 0 &&
                (traits & (StatementTraits.Write | StatementTraits.EndTransaction | StatementTraits.Call | StatementTraits.Unknown)) != 0)
            {
                // MariaDB reports every write's GTID (last_gtid); where the server does not, a write keeps
                // the session's reads on the primary for the lag budget.
                _primaryReadsUntil = Stopwatch.GetTimestamp() + (long)(_context.Router.Options.MaxReplicaLag.Value.TotalSeconds * Stopwatch.Frequency);
            }
        }
        else
        {
            // Monotonic reads: never again read from a replica behind what this one had applied. The monitor's
            // last position of it may be older than what the read saw, so the session stays on it until a
            // check that started after this read.
            _readFloor = _readFloor.Max(pool.Health.Position);
            if (_sticky != pool)
            {
                // Further reads there do not extend the wait: the check that ends it began after the first.
                _sticky = pool;
                _stickyUntilCheck = pool.Checks + 2;
            }
        }
    }

    /// <summary>Session tracking reported a variable the router cares about.</summary>
    private void OnTrackedVariable(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (name.SequenceEqual("last_gtid"u8))
        {
            _lastGtid = GtidPosition.Parse(System.Text.Encoding.ASCII.GetString(value));
        }
        else if (name.SequenceEqual("autocommit"u8))
        {
            _autocommitOff = value.SequenceEqual("OFF"u8) || value.SequenceEqual("0"u8);
        }
    }
}
