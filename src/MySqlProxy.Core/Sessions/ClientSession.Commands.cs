using System.Buffers;
using System.IO.Pipelines;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Core.Routing;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    /// <summary>Largest first packet of a command the session looks at whole (KILL, CONNECTION_ID(), COM_CHANGE_USER).</summary>
    private const int InspectLimit = 64 * 1024;

    /// <summary>Statements whose names (temporary tables, SQL prepared statements) the pin logic reads.</summary>
    private const StatementTraits NamedStateTraits =
        StatementTraits.CreateTemporaryTable | StatementTraits.DropTable | StatementTraits.Prepare | StatementTraits.Deallocate;

    private byte[] _lastQuery = [];
    private bool _retryable;
    private long _statementStart;
    private ulong _digest;
    private string? _digestText;
    private bool _retryRequested;
    private BackendPool? _avoid;
    private int _lastQueryLength;

    /// <summary>
    /// The command phase: read a command's first packet, decide, forward it and relay the response; repeat.
    /// Ends when the client quits or goes, on a stop request between statements, or when the backend is lost.
    /// </summary>
    private async Task CommandLoopAsync()
    {
        CancellationToken ct = _abort.Token;
        PipeReader input = ClientInput;
        while (!_stopRequested)
        {
            ReadResult read = await input.ReadAsync(ct).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (_stopRequested)
            {
                input.AdvanceTo(buffer.Start);
                return;
            }

            if (read.IsCanceled)
            {
                // Left over from ending a client watch that had already completed: read again.
                input.AdvanceTo(buffer.Start);
                continue;
            }

            if (!PacketHeader.TryRead(buffer, out PacketHeader header) ||
                buffer.Length < PacketHeader.Size + Math.Min(header.PayloadLength, InspectLimit))
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        Log.ClientProtocolError(_logger, Id, "connection closed inside a packet");
                    }

                    return;
                }

                continue;
            }

            if (header.SequenceId != 0)
            {
                input.AdvanceTo(buffer.Start);
                Log.ClientProtocolError(_logger, Id, $"command packet with sequence id {header.SequenceId}");
                await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.PacketsOutOfOrder, "08S01", "Got packets out of order", (byte)(header.SequenceId + 1), ct).ConfigureAwait(false);
                return;
            }

            if (header.PayloadLength == 0)
            {
                input.AdvanceTo(buffer.GetPosition(PacketHeader.Size));
                await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.UnknownCommand, "08S01", "Unknown command", 1, ct).ConfigureAwait(false);
                continue;
            }

            var command = (CommandCode)First(buffer.Slice(PacketHeader.Size));
            bool whole = header.PayloadLength <= InspectLimit;
            KillStatement kill = default;
            byte[]? rewritten = null;
            StatementTraits traits = StatementTraits.None;
            _hint = RouteHint.None;
            _digest = Diagnostics.QueryStats.OtherDigest;
            _digestText = null;
            bool isKill = command == CommandCode.Query && whole &&
                InspectQuery(buffer.Slice(PacketHeader.Size + 1, header.PayloadLength - 1), out kill, out rewritten, out traits);
            if (command == CommandCode.Query && !whole)
            {
                // Too long to look at whole (bulk inserts): routed and pinned by its beginning.
                traits = Classify(buffer.Slice(PacketHeader.Size + 1, Math.Min(InspectLimit, header.PayloadLength - 1)));
            }
            if (isKill || rewritten is not null)
            {
                // The session answers or rewrites this statement itself: the original packet is used up.
                input.AdvanceTo(buffer.GetPosition(PacketHeader.Size + header.PayloadLength));
            }
            else
            {
                // Everything else leaves the packet in the pipe for whoever handles it.
                input.AdvanceTo(buffer.Start);
            }

            bool keepGoing = command switch
            {
                CommandCode.Quit => false,
                CommandCode.Query when isKill => await KillAsync(kill, ct).ConfigureAwait(false),
                CommandCode.Query when rewritten is not null => await ForwardAsync(command, Classify(rewritten), rewritten, ct).ConfigureAwait(false),
                CommandCode.Query when whole && IsRead(command, traits) && _pins == PinCauses.None
                    => await ForwardReadAsync(header, traits, ct).ConfigureAwait(false),
                CommandCode.Query => await ForwardAsync(command, traits, null, ct).ConfigureAwait(false),
                CommandCode.ResetConnection => await ResetConnectionAsync(ct).ConfigureAwait(false),
                CommandCode.StatementPrepare => await PrepareAsync(header, ct).ConfigureAwait(false),
                CommandCode.StatementExecute or CommandCode.StatementSendLongData or CommandCode.StatementClose or
                    CommandCode.StatementReset or CommandCode.StatementFetch or CommandCode.StatementBulkExecute
                    => await StatementCommandAsync(command, header, buffer.Length >= PacketHeader.Size + 5, ct).ConfigureAwait(false),
                CommandCode.ProcessKill when whole => await ProcessKillAsync(header, ct).ConfigureAwait(false),
                CommandCode.ChangeUser when whole => await ChangeUserAsync(header, ct).ConfigureAwait(false),
                CommandCode.ChangeUser or CommandCode.ProcessKill => await RefuseAsync(command, ErrorCodes.NetReadError, "08S01", "Got an error reading communication packets", ct).ConfigureAwait(false),
                CommandCode.Sleep or CommandCode.Connect or CommandCode.Time or CommandCode.DelayedInsert or
                    CommandCode.TableDump or CommandCode.ConnectOut or CommandCode.RegisterSlave or CommandCode.BinlogDump or
                    CommandCode.BinlogDumpGtid or CommandCode.Daemon => await RefuseAsync(command, ErrorCodes.UnknownCommand, "08S01", "Unknown command", ct).ConfigureAwait(false),
                _ when !Enum.IsDefined(command) => await RefuseAsync(command, ErrorCodes.UnknownCommand, "08S01", "Unknown command", ct).ConfigureAwait(false),
                _ => await ForwardAsync(command, StatementTraits.None, null, ct).ConfigureAwait(false),
            };

            if (!keepGoing || _killed)
            {
                return;
            }
        }
    }

    /// <summary>
    /// COM_QUERY text the session must understand itself: KILL and CONNECTION_ID() speak of proxy ids.
    /// Returns true for a KILL; sets <paramref name="rewritten"/> when CONNECTION_ID() was replaced.
    /// Allocates only when it finds one of them.
    /// </summary>
    private bool InspectQuery(in ReadOnlySequence<byte> sqlBytes, out KillStatement kill, out byte[]? rewritten, out StatementTraits traits)
    {
        rewritten = null;
        kill = default;
        traits = StatementTraits.None;
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> sql;
            if (sqlBytes.IsSingleSegment)
            {
                sql = sqlBytes.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)sqlBytes.Length);
                sqlBytes.CopyTo(rented);
                sql = rented.AsSpan(0, (int)sqlBytes.Length);
            }

            if (SqlText.TryParseKill(sql, out kill))
            {
                return true;
            }

            traits = StatementClassifier.Classify(sql);
            _hint = RouteHint.Parse(sql);
            _digest = StatementDigest.Hash(sql);
            _digestText = _context.QueryStats.Knows(_digest) ? null : StatementDigest.Text(sql);
            QueryRules rules = _context.Router.Rules;
            if (rules.Count > 0 && _hint.Target == HintTarget.None && rules.Find(sql, User, _desired.Schema) is { } rule)
            {
                _hint = new RouteHint(rule.Target, rule.Backend, _hint.MaxLag);
            }
            if ((traits & NamedStateTraits) != 0)
            {
                // The names in it decide when a pin ends; the packet itself is gone once forwarded.
                _lastQuery = sql.ToArray();
                _lastQueryLength = sql.Length;
            }
            else
            {
                _lastQueryLength = 0;
            }

            if ((traits & StatementTraits.ConnectionId) != 0)
            {
                rewritten = SqlText.RewriteConnectionId(sql, Id);
            }

            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Runs one command on a backend connection: the pinned one or one borrowed and aligned; sends the
    /// packets waiting in the client pipe (or <paramref name="rewritten"/> SQL in their place), relays the
    /// response including a LOCAL INFILE upload, then decides from the response and the statement whether the
    /// session stays pinned, and gives the connection back if not.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ForwardAsync(CommandCode command, StatementTraits traits, byte[]? rewritten, CancellationToken ct, uint? statementId = null)
    {
        (BackendConnection? backend, ErrPayload? failure) = await AcquireRoutedAsync(command, traits, ct).ConfigureAwait(false);
        if (backend is null)
        {
            if (rewritten is null && !await DiscardClientPacketAsync(ct).ConfigureAwait(false))
            {
                return false;
            }

            if (ResponseScanner.HasResponse(command))
            {
                await WriteErrorAsync(failure!, 1, ct).ConfigureAwait(false);
            }

            return true;
        }

        Transition(SessionState.Idle, SessionState.Busy);
        bool pinnedBefore = _pins != PinCauses.None;
        _statementStart = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            _sentToClient = false;
            if (rewritten is null)
            {
                ForwardOutcome forwarded = await ForwardClientPacketsAsync(backend.Output, untilEmptyPacket: false, ct, statementId).ConfigureAwait(false);
                if (forwarded == ForwardOutcome.ClientGone)
                {
                    // Half a command went to the backend: that connection can never be used again.
                    backend.MarkBroken();
                    return false;
                }

                if (forwarded == ForwardOutcome.BackendLost)
                {
                    return await BackendLostAsync(backend, "connection closed while sending", pinnedBefore, ct).ConfigureAwait(false);
                }
            }
            else
            {
                using var payload = new PayloadWriter(rewritten.Length + 1);
                payload.Write((byte)command).Write(rewritten);
                try
                {
                    await PacketIO.WritePacketAsync(backend.Output, payload, 0, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
                {
                    return await BackendLostAsync(backend, ex.Message, pinnedBefore, ct).ConfigureAwait(false);
                }
            }

            if (!ResponseScanner.HasResponse(command))
            {
                return true;
            }

            BeginStatement();
            _statementScopedVariables = (traits & StatementTraits.StatementScopedVariables) != 0;
            _scanner.Start(command, backend.Capabilities);
            while (true)
            {
                StartClientWatch();
                RelayOutcome outcome = await RelayResponseAsync(backend, ct).ConfigureAwait(false);
                StopClientWatch();
                if (_clientGoneMidStatement)
                {
                    backend.MarkBroken();
                    return false;
                }

                switch (outcome)
                {
                    case RelayOutcome.Complete:
                        backend.Status = _scanner.LastStatus;
                        if (backend.Pool is { } pool)
                        {
                            pool.CountStatement(_scanner.SawError);
                            pool.Counters.Record(_routeKind, System.Diagnostics.Stopwatch.GetTimestamp() - _statementStart);
                            _context.QueryStats.Record(_digest, _digestText, pool.Index, _statementStart, _scanner.Rows, _scanner.SawError);
                        }

                        AfterRouting(backend, traits, _scanner.SawError);
                        if (command == CommandCode.Query && rewritten is not null)
                        {
                            AfterStatement(command, traits, rewritten);
                        }
                        else
                        {
                            AfterStatement(command, traits, command == CommandCode.Query ? _lastQuery.AsSpan(0, _lastQueryLength) : default);
                        }

                        if ((traits & StatementTraits.SetNames) != 0)
                        {
                            await LearnCollationAsync(backend, ct).ConfigureAwait(false);
                        }

                        return true;

                    case RelayOutcome.NeedClientData:
                        ForwardOutcome upload = await ForwardClientPacketsAsync(backend.Output, untilEmptyPacket: true, ct).ConfigureAwait(false);
                        if (upload == ForwardOutcome.ClientGone)
                        {
                            backend.MarkBroken();
                            return false;
                        }

                        if (upload == ForwardOutcome.BackendLost)
                        {
                            return await BackendLostAsync(backend, "connection closed during LOCAL INFILE", pinnedBefore, ct).ConfigureAwait(false);
                        }

                        _scanner.ClientDataSent();
                        break;

                    case RelayOutcome.ClientGone:
                        backend.MarkBroken();
                        return false;

                    default:
                        return await BackendLostAsync(backend, "connection closed during the response", pinnedBefore, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (_state == SessionState.Busy)
            {
                _state = SessionState.Idle;
            }

            ReleaseIfUnpinned();
        }
    }

    /// <summary>
    /// The connection a statement runs on, chosen by <see cref="Route"/>; a read whose replica cannot be
    /// reached right now runs on the primary instead (nothing was executed, so that is safe).
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(BackendConnection? Connection, ErrPayload? Error)> AcquireRoutedAsync(CommandCode command, StatementTraits traits, CancellationToken ct)
    {
        if (_backend is not null && _pins != PinCauses.None && (_pins & ~OneStatementPins) == 0 &&
            (traits & StatementTraits.ReadsPreviousResult) == 0)
        {
            // Kept only so that the next statement could read the last one's results (warnings, found
            // rows, insert id); this one does not, so it is routed on its own merits.
            _pins = PinCauses.None;
            ReleaseIfUnpinned();
        }

        if (_backend?.Pool?.Backend.Role == BackendRole.Replica && (_pins & PinCauses.Transaction) != 0 &&
            (traits & StatementTraits.Write) != 0 &&
            (traits & (StatementTraits.LockingRead | StatementTraits.SideEffect | StatementTraits.ReadsPreviousResult | StatementTraits.UserVariable | StatementTraits.EndTransaction)) == 0)
        {
            // A write inside START TRANSACTION READ ONLY: the server the transaction runs on is a read-only
            // replica, which would answer 1290; the primary would refuse it as a read-only transaction.
            return (null, new ErrPayload(1792, "25006", "Cannot execute statement in a READ ONLY transaction"));
        }

        (BackendPool? pool, ErrPayload? error) = Route(command, traits);
        if (pool is null)
        {
            return (null, error);
        }

        (BackendConnection? connection, ErrPayload? failure) = await AcquireAsync(pool, ct).ConfigureAwait(false);
        if (connection is not null && (traits & StatementTraits.ReadsPreviousResult) != 0 && connection.InsertId != _sessionInsertId)
        {
            // LAST_INSERT_ID() answers for this session's last insert, whichever connection ran it:
            // LAST_INSERT_ID(n) sets what it returns next on this connection.
            ErrPayload? setError = await connection.ExecuteAsync(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"DO LAST_INSERT_ID({_sessionInsertId})"), ct).ConfigureAwait(false);
            if (setError is null)
            {
                connection.InsertId = _sessionInsertId;
            }
        }

        if (connection is null && pool != _context.Router.Primary && _hint.Target == HintTarget.None &&
            failure!.ErrorCode is ErrorCodes.CannotConnect or ErrorCodes.ServerLost or ErrorCodes.PoolExhausted &&
            _context.Router.Options.ReadsOnPrimary != Configuration.ReadsOnPrimary.Never)
        {
            return await AcquireAsync(_context.Router.Primary, ct).ConfigureAwait(false);
        }

        if (connection is null && pool == _context.Router.Primary && command == CommandCode.Query && IsPureSessionState(traits) &&
            failure!.ErrorCode == ErrorCodes.CannotConnect && _backend is null &&
            _context.Router.ChooseForRead(Monitoring.GtidPosition.Empty, avoid: pool) is { Backend.Role: BackendRole.Replica } replica)
        {
            // The primary is down (or just died): SET NAMES, SET SESSION x and USE are learned from session
            // tracking and replayed on whichever connection runs the next statement, so a replica may run them
            // and sessions that only read go on (drivers send such statements right after connecting).
            return await AcquireAsync(replica, ct).ConfigureAwait(false);
        }

        return (connection, failure);
    }

    /// <summary>
    /// A plain read outside any pinned state: if its backend connection dies before any of the answer reached
    /// the client, it runs once more, on another backend (the one that failed is avoided). Writes are never
    /// retried. The statement is copied into a pooled buffer for that, and returned after.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ForwardReadAsync(PacketHeader header, StatementTraits traits, CancellationToken ct)
    {
        int length = header.PayloadLength - 1;
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            ReadResult read = await ClientInput.ReadAsync(ct).ConfigureAwait(false);
            read.Buffer.Slice(PacketHeader.Size + 1, length).CopyTo(copy);
            ClientInput.AdvanceTo(read.Buffer.Start);
            _retryable = true;
            bool result = await ForwardAsync(CommandCode.Query, traits, null, ct).ConfigureAwait(false);
            if (!_retryRequested)
            {
                return result;
            }

            _retryRequested = false;
            _retryable = false;
            return await ForwardAsync(CommandCode.Query, traits, copy.AsSpan(0, length).ToArray(), ct).ConfigureAwait(false);
        }
        finally
        {
            _retryable = false;
            _retryRequested = false;
            _avoid = null;
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// Tells a dead server from a connection that was closed on purpose (KILL, an idle timeout): a server that
    /// still answers a new connection at once did not die, and a read it ended is not run again.
    /// </summary>
    private static async ValueTask<bool> IsServerAliveAsync(BackendEndpoint backend)
    {
        try
        {
            await BackendConnection.ProbeAsync(backend, TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsConnectFailure(ex) || ex is MySqlErrorException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// The backend died mid-statement: the client gets an ERR in place of the rest of the response; the
    /// session goes on only if it had no state on that connection.
    /// </summary>
    private async ValueTask<bool> BackendLostAsync(BackendConnection backend, string reason, bool pinnedBefore, CancellationToken ct)
    {
        backend.MarkBroken();
        backend.Pool?.CountStatement(failed: true);
        if (_killed || _killExpected)
        {
            // KILL CONNECTION: a server ends a killed session without a word (MariaDB 10.11 closes the socket
            // under the running statement; whatever it did send has been relayed), so the client's connection
            // just closes here too.
            _pins = PinCauses.None;
            return false;
        }

        if (_retryable && !_sentToClient && !pinnedBefore && !_clientGoneMidStatement &&
            !await IsServerAliveAsync(backend.Backend).ConfigureAwait(false))
        {
            // Nothing reached the client: the caller runs the read again, elsewhere.
            Log.BackendLost(_logger, Id, backend.Backend.Name, reason + "; retrying the read on another backend");
            _retryRequested = true;
            _avoid = backend.Pool;
            return true;
        }

        Log.BackendLost(_logger, Id, backend.Backend.Name, reason);
        byte sequence = _sentToClient ? (byte)(_lastSequenceToClient + 1) : (byte)1;
        try
        {
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.ServerLost, "HY000",
                $"Lost connection to backend {backend.Backend.Name} ({backend.Backend.Host}:{backend.Backend.Port}) during query", sequence, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // The client is gone too.
            return false;
        }

        // A session that kept nothing on that connection (no transaction, no pinned state) carries on with
        // another one; one whose state died with the connection ends, as it would with a failed server.
        bool keep = !pinnedBefore && _pins == PinCauses.None;
        if (!keep)
        {
            _pins = PinCauses.None;
        }

        return keep;
    }

    /// <summary>Drops a command the proxy does not take and answers it with an ERR, as the server would.</summary>
    private async ValueTask<bool> RefuseAsync(CommandCode command, ushort code, string sqlState, string message, CancellationToken ct)
    {
        Log.ClientUnsupportedCommand(_logger, Id, (byte)command);
        if (!await DiscardClientPacketAsync(ct).ConfigureAwait(false))
        {
            return false;
        }

        await PacketIO.WriteErrorAsync(ClientOutput, code, sqlState, message, 1, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Takes a command's payload out of the client pipe, for commands the session handles itself. A payload of
    /// 16 MiB or more (COM_STMT_PREPARE of a long text, COM_STMT_EXECUTE of a large value) spans several
    /// packets, which are joined.
    /// </summary>
    private async ValueTask<byte[]> TakeWholePacketAsync(PacketHeader header, CancellationToken ct)
    {
        if (header.HasContinuation)
        {
            return await TakeSplitPayloadAsync(ct).ConfigureAwait(false);
        }

        ReadResult read = await ClientInput.ReadAsync(ct).ConfigureAwait(false);
        while (read.Buffer.Length < PacketHeader.Size + header.PayloadLength)
        {
            if (read.IsCompleted)
            {
                throw new EndOfStreamException("connection closed inside a packet");
            }

            ClientInput.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await ClientInput.ReadAsync(ct).ConfigureAwait(false);
        }

        byte[] payload = read.Buffer.Slice(PacketHeader.Size, header.PayloadLength).ToArray();
        ClientInput.AdvanceTo(read.Buffer.GetPosition(PacketHeader.Size + header.PayloadLength));
        return payload;
    }

    /// <summary>
    /// Joins the packets of a split payload, consuming each piece as it is copied: a whole 16 MiB packet could
    /// not wait in the client pipe, whose writer pauses long before that.
    /// </summary>
    private async ValueTask<byte[]> TakeSplitPayloadAsync(CancellationToken ct)
    {
        var whole = new ArrayBufferWriter<byte>(2 * PacketHeader.MaxPayloadLength);
        long remaining = 0;
        bool last = false;
        while (true)
        {
            ReadResult read = await ClientInput.ReadAsync(ct).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            while (true)
            {
                if (remaining == 0)
                {
                    if (last)
                    {
                        ClientInput.AdvanceTo(buffer.Start);
                        return whole.WrittenSpan.ToArray();
                    }

                    if (!PacketHeader.TryRead(buffer, out PacketHeader header))
                    {
                        break;
                    }

                    last = !header.HasContinuation;
                    remaining = header.PayloadLength;
                    buffer = buffer.Slice(PacketHeader.Size);
                    continue;
                }

                if (buffer.IsEmpty)
                {
                    break;
                }

                long n = Math.Min(remaining, buffer.Length);
                foreach (ReadOnlyMemory<byte> segment in buffer.Slice(0, n))
                {
                    whole.Write(segment.Span);
                }

                buffer = buffer.Slice(n);
                remaining -= n;
            }

            ClientInput.AdvanceTo(buffer.Start, read.Buffer.End);
            if (read.IsCompleted)
            {
                throw new EndOfStreamException("connection closed inside a packet");
            }
        }
    }

    private static StatementTraits Classify(ReadOnlySpan<byte> sql) => StatementClassifier.Classify(sql);

    private static StatementTraits Classify(in ReadOnlySequence<byte> sql)
    {
        if (sql.IsSingleSegment)
        {
            return StatementClassifier.Classify(sql.FirstSpan);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent((int)sql.Length);
        try
        {
            sql.CopyTo(rented);
            return StatementClassifier.Classify(rented.AsSpan(0, (int)sql.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte First(in ReadOnlySequence<byte> buffer) =>
        buffer.FirstSpan.Length > 0 ? buffer.FirstSpan[0] : buffer.Slice(0, 1).ToArray()[0];

    /// <summary>Writes a one-packet answer the proxy makes itself.</summary>
    private async ValueTask WriteOkAsync(byte sequence, CancellationToken ct)
    {
        using var payload = new PayloadWriter(16);
        OkPayload.Write(payload, 0, 0, _backend?.Status ?? ServerStatus.Autocommit);
        await PacketIO.WritePacketAsync(ClientOutput, payload, sequence, ct).ConfigureAwait(false);
    }

}
