using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Core.Routing;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    /// <summary>Pins that last for the next statement only.</summary>
    private const PinCauses OneStatementPins = PinCauses.FoundRows | PinCauses.LastInsertId | PinCauses.Warnings;

    /// <summary>Statement traits whose session state changes the pin logic accounts for itself.</summary>
    private const StatementTraits KnownStateTraits =
        StatementTraits.UserVariable | StatementTraits.CreateTemporaryTable | StatementTraits.DropTable |
        StatementTraits.Prepare | StatementTraits.Deallocate | StatementTraits.GetLock | StatementTraits.ReleaseLock |
        StatementTraits.ReleaseAllLocks | StatementTraits.LockTables | StatementTraits.UnlockTables |
        StatementTraits.FlushWithReadLock | StatementTraits.SetSystemVariable | StatementTraits.SetNextTransaction |
        StatementTraits.UnreplayableVariable | StatementTraits.Use | StatementTraits.BeginTransaction |
        StatementTraits.BeginReadOnlyTransaction | StatementTraits.EndTransaction | StatementTraits.Call | StatementTraits.SessionState;

    private readonly SessionVariables _desired = new();
    private readonly HashSet<string> _temporaryTables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sqlPrepared = new(StringComparer.Ordinal);
    private PinCauses _pins;

    /// <summary>Keeps the connection through a command that ends the pins, until the session has caught up with it.</summary>
    private bool _holdBackend;
    private int _namedLocks;

    // What the OK packets of the current statement said.
    private bool _stateChanged;
    private bool _stateTracked;
    private bool _statementScopedVariables;
    private ulong _lastInsertId;
    private ulong _sessionInsertId;
    private ushort _warnings;

    /// <summary>The session's default schema as the client last set it.</summary>
    public string? Schema => _desired.Schema;

    private PoolKey Key => new(User, _capabilities & BackendConnection.CommandPhaseCapabilities, _characterSet);

    /// <summary>
    /// The connection the next statement runs on: the pinned one, or one borrowed from the pool and brought
    /// to the session's state (schema, then every changed variable in one SET). On failure, the ERR to send.
    /// </summary>
    private ValueTask<(BackendConnection? Connection, ErrPayload? Error)> AcquireAsync(CancellationToken ct) =>
        AcquireAsync(_context.PrimaryPool, ct);

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(BackendConnection? Connection, ErrPayload? Error)> AcquireAsync(BackendPool pool, CancellationToken ct)
    {
        if (_backend is not null)
        {
            return (_backend, null);
        }

        if (pool.Backend.State != BackendState.Online)
        {
            return (null, new ErrPayload(ErrorCodes.CannotConnect, "HY000",
                $"MySqlProxy: backend {pool.Backend.Name} is {pool.Backend.State.ToString().ToLowerInvariant()} (set by an operator)"));
        }

        if (!pool.Health.IsUp)
        {
            // The monitor has seen it fail: answer at once instead of waiting out a connect timeout.
            return (null, new ErrPayload(ErrorCodes.CannotConnect, "HY000",
                $"MySqlProxy: backend {pool.Backend.Name} ({pool.Backend.Host}:{pool.Backend.Port}) is down: {pool.Health.Error ?? "failed health checks"}"));
        }

        BackendConnection connection;
        try
        {
            connection = await RentForSchemaAsync(pool, ct).ConfigureAwait(false);
        }
        catch (PoolExhaustedException ex)
        {
            return (null, new ErrPayload(ErrorCodes.PoolExhausted, "HY000", ex.Message));
        }
        catch (MySqlErrorException ex)
        {
            // The server's own refusal (access denied for the configured password, too many connections).
            return (null, new ErrPayload(ex.ErrorCode, ex.SqlState, ex.Message));
        }
        catch (Exception ex) when (IsConnectFailure(ex))
        {
            Log.BackendConnectFailed(_logger, Id, pool.Backend.Name, ex.Message);
            return (null, new ErrPayload(ErrorCodes.CannotConnect, "HY000",
                $"MySqlProxy: can't connect to backend {pool.Backend.Name} ({pool.Backend.Host}:{pool.Backend.Port}): {ex.Message}"));
        }

        _context.Identity.Observe(connection.Greeting);
        ErrPayload? error;
        try
        {
            error = await AlignAsync(connection, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionEnd(ex) || ex is PacketFormatException)
        {
            connection.MarkBroken();
            pool.Return(connection);
            return (null, new ErrPayload(ErrorCodes.ServerLost, "HY000", $"Lost connection to backend {pool.Backend.Name} ({pool.Backend.Host}:{pool.Backend.Port})"));
        }

        if (error is not null)
        {
            pool.Return(connection);
            return (null, error);
        }

        _backend = connection;
        return (connection, null);
    }

    /// <summary>
    /// Rents a connection that can take the session's schema. COM_INIT_DB can change a connection's schema
    /// but never take it back to none, so a session without one (logged in without a database, or changed
    /// user to none) only takes a connection that has none: pooled ones that have a schema are closed instead,
    /// until the pool opens a fresh connection.
    /// </summary>
    private async ValueTask<BackendConnection> RentForSchemaAsync(BackendPool pool, CancellationToken ct)
    {
        while (true)
        {
            BackendConnection connection = await pool.RentAsync(Key, ct).ConfigureAwait(false);
            if (_desired.Schema is not null || connection.State.Schema is null)
            {
                return connection;
            }

            connection.MarkBroken();
            pool.Return(connection);
        }
    }

    /// <summary>Brings a borrowed connection to the session's state with the fewest round trips.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ErrPayload?> AlignAsync(BackendConnection connection, CancellationToken ct)
    {
        SessionVariables actual = connection.State;
        if (_desired.Schema is not null && !string.Equals(actual.Schema, _desired.Schema, StringComparison.Ordinal))
        {
            ErrPayload? error = await connection.InitDbAsync(_desired.Schema, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }
        }

        string? set = _desired.BuildAlignment(actual, connection.Baseline);
        if (set is not null)
        {
            ErrPayload? error = await connection.ExecuteAsync(set, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            string? schema = actual.Schema;
            actual.CopyFrom(_desired);
            actual.Schema = schema;
        }

        return null;
    }

    /// <summary>
    /// SET NAMES and SET CHARACTER SET change collation_connection too, but MariaDB's session tracking reports
    /// only the character_set_* variables (10.11): without this, a collation set with SET NAMES ... COLLATE
    /// stays on the connection for the next session, and is lost for this one on its next connection. The
    /// proxy reads it once after such a statement.
    /// </summary>
    private async ValueTask LearnCollationAsync(BackendConnection connection, CancellationToken ct)
    {
        string?[] row;
        try
        {
            row = await connection.QueryRowAsync("SELECT @@collation_connection", ct).ConfigureAwait(false);
        }
        catch (MySqlErrorException)
        {
            return;
        }
        catch (Exception ex) when (IsConnectionEnd(ex) || ex is PacketFormatException)
        {
            connection.MarkBroken();
            return;
        }

        if (row.Length == 1 && row[0] is { } collation)
        {
            _desired.Set("collation_connection", collation);
            connection.State.Set("collation_connection", collation);
        }
    }

    /// <summary>Gives the backend connection back to the pool unless something pins the session to it.</summary>
    private void ReleaseIfUnpinned()
    {
        BackendConnection? connection = _backend;
        if (connection is null || ((_pins != PinCauses.None || _holdBackend) && !connection.IsBroken))
        {
            return;
        }

        _backend = null;
        connection.Pool!.Return(connection);
    }

    /// <summary>Clears what the OK packets of the coming statement will report.</summary>
    private void BeginStatement()
    {
        _stateChanged = false;
        _stateTracked = false;
        _lastInsertId = 0;
        _warnings = 0;
        _lastGtid = null;
    }

    /// <summary>
    /// After a complete response: which state now ties the session to its connection. The server's status
    /// flags decide transactions; session tracking carries variables and the schema; the statement's text
    /// names the rest (user variables, temporary tables, locks, ...).
    /// </summary>
    private void AfterStatement(CommandCode command, StatementTraits traits, ReadOnlySpan<byte> sql)
    {
        // A statement that reads the previous one's results (SHOW WARNINGS, @@warning_count, FOUND_ROWS())
        // does not replace them on the server, so the pins that keep them reachable last on.
        PinCauses pins = (traits & StatementTraits.ReadsPreviousResult) != 0 ? _pins : _pins & ~OneStatementPins;
        ServerStatus status = _scanner.LastStatus;
        bool error = _scanner.SawError;

        if ((status & ServerStatus.InTransaction) != 0)
        {
            pins |= PinCauses.Transaction;
        }
        else if (!error || (traits & StatementTraits.EndTransaction) != 0)
        {
            if ((pins & PinCauses.Transaction) != 0 || (traits & StatementTraits.EndTransaction) != 0)
            {
                pins &= ~PinCauses.NextTransaction;
            }

            pins &= ~PinCauses.Transaction;
        }

        if (command == CommandCode.Query)
        {
            pins = PinsFromText(pins, traits, error, sql);
        }
        else if (command is >= CommandCode.StatementExecute and <= CommandCode.StatementFetch or CommandCode.StatementBulkExecute)
        {
            pins = StatementPins(command, pins, status, error);
        }

        if (command == CommandCode.SetOption && !error)
        {
            // COM_SET_OPTION switches multi-statements on the server connection itself.
            pins |= PinCauses.UnreplayableVariable;
        }

        if (_lastInsertId != 0)
        {
            pins |= PinCauses.LastInsertId;
        }

        if (_warnings != 0 || _scanner.LastWarnings != 0)
        {
            pins |= PinCauses.Warnings;
        }

        if (_stateChanged && !_stateTracked && (traits & KnownStateTraits) == 0 && command == CommandCode.Query)
        {
            pins |= PinCauses.UnknownState;
        }

        if (_backend is not null && (_backend.Capabilities & Capabilities.SessionTrack) == 0 &&
            (traits & (StatementTraits.SetSystemVariable | StatementTraits.Use)) != 0)
        {
            // Without session tracking the proxy cannot know the values to replay.
            pins |= PinCauses.UnreplayableVariable;
        }

        _pins = pins;
    }

    private PinCauses PinsFromText(PinCauses pins, StatementTraits traits, bool error, ReadOnlySpan<byte> sql)
    {
        if ((traits & StatementTraits.UserVariable) != 0)
        {
            pins |= PinCauses.UserVariable;
        }

        if ((traits & (StatementTraits.CreateTemporaryTable | StatementTraits.DropTable)) != 0)
        {
            SqlNames.VisitTables(sql, _temporaryTables, applyCreates: !error, applyDrops: !error || _temporaryTables.Count > 0);
            pins = _temporaryTables.Count > 0 ? pins | PinCauses.TemporaryTable : pins & ~PinCauses.TemporaryTable;
        }

        if ((traits & StatementTraits.ReleaseAllLocks) != 0)
        {
            _namedLocks = 0;
        }
        else if ((traits & StatementTraits.ReleaseLock) != 0)
        {
            _namedLocks = Math.Max(0, _namedLocks - 1);
        }

        if ((traits & StatementTraits.GetLock) != 0 && !error)
        {
            _namedLocks++;
        }

        pins = _namedLocks > 0 ? pins | PinCauses.NamedLock : pins & ~PinCauses.NamedLock;

        if ((traits & StatementTraits.UnlockTables) != 0 && !error)
        {
            pins &= ~(PinCauses.LockTables | PinCauses.GlobalReadLock);
        }

        if ((traits & StatementTraits.LockTables) != 0 && !error)
        {
            pins |= PinCauses.LockTables;
        }

        if ((traits & StatementTraits.FlushWithReadLock) != 0 && !error)
        {
            pins |= PinCauses.GlobalReadLock;
        }

        if ((traits & StatementTraits.CalcFoundRows) != 0)
        {
            pins |= PinCauses.FoundRows;
        }

        if ((traits & (StatementTraits.Prepare | StatementTraits.Deallocate)) != 0 && !error)
        {
            string? name = SqlNames.PreparedName(sql);
            if (name is not null)
            {
                if ((traits & StatementTraits.Deallocate) != 0)
                {
                    _sqlPrepared.Remove(name);
                }
                else
                {
                    _sqlPrepared.Add(name);
                }
            }

            pins = _sqlPrepared.Count > 0 ? pins | PinCauses.SqlPrepare : pins & ~PinCauses.SqlPrepare;
        }

        if ((traits & StatementTraits.UnreplayableVariable) != 0)
        {
            pins |= PinCauses.UnreplayableVariable;
        }

        if ((traits & StatementTraits.SetNextTransaction) != 0 && !error)
        {
            pins |= PinCauses.NextTransaction;
        }

        return pins;
    }

    /// <summary>Session state after COM_RESET_CONNECTION or COM_CHANGE_USER: as a new connection has it.</summary>
    private void ResetSessionState(string? schema)
    {
        _desired.Reset(schema);
        _temporaryTables.Clear();
        _sqlPrepared.Clear();
        _namedLocks = 0;
        _pins = PinCauses.None;
        _statements.Clear();
        _lastPrepared = 0;
        _autocommitOff = false;
        _sessionInsertId = 0;
    }
}
