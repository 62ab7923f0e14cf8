using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Routing;
using MySqlProxy.Core.Statements;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    /// <summary>The statement id MariaDB's connectors send to mean "the statement prepared last" (pipelined prepare+execute).</summary>
    private const uint LastPreparedStatement = 0xFFFFFFFF;

    /// <summary>COM_STMT_EXECUTE flag: open a read-only cursor.</summary>
    private const byte CursorTypeReadOnly = 0x01;

    private readonly Dictionary<uint, ClientStatement> _statements = [];
    private uint _nextStatementId;
    private uint _lastPrepared;
    private uint _cursorStatement;
    private uint _longDataStatement;
    private uint _currentStatement;
    private byte _currentFlags;

    /// <summary>
    /// COM_STMT_PREPARE: the statement is prepared (or found already prepared) on the connection the session
    /// borrows now, and the client gets the server's answer with the proxy's own statement id in it.
    /// </summary>
    private async ValueTask<bool> PrepareAsync(PacketHeader header, CancellationToken ct)
    {
        byte[] packet = await TakeWholePacketAsync(header, ct).ConfigureAwait(false);

        // CONNECTION_ID() means the proxy's id here too; the rewritten text is what gets prepared everywhere.
        string sql = Encoding.UTF8.GetString(SqlText.RewriteConnectionId(packet.AsSpan(1), Id) ?? packet.AsSpan(1));
        (BackendConnection? backend, ErrPayload? failure) = await AcquireAsync(ct).ConfigureAwait(false);
        if (backend is null)
        {
            await WriteErrorAsync(failure!, 1, ct).ConfigureAwait(false);
            return true;
        }

        Transition(SessionState.Idle, SessionState.Busy);
        try
        {
            string? schema = _desired.Schema;
            (BackendStatement? statement, byte[] response) = await PrepareOnAsync(backend, sql, schema, ct).ConfigureAwait(false);
            if (statement is null)
            {
                // The server refused it (syntax, unknown table): its ERR goes to the client as is.
                await ClientOutput.WriteAsync(response, ct).ConfigureAwait(false);
                return true;
            }

            uint id = ++_nextStatementId;
            if (id == LastPreparedStatement)
            {
                id = _nextStatementId = 1;
            }

            byte[] text = Encoding.UTF8.GetBytes(sql);
            _statements[id] = new ClientStatement(id, sql, schema, statement.Parameters, statement.Columns, StatementClassifier.Classify(text), RouteHint.Parse(text))
            {
                Digest = StatementDigest.Hash(text),
                DigestText = StatementDigest.Text(text),
            };
            _lastPrepared = id;

            // The server's response, replayed with the proxy's id in the first packet (header, 0x00, id).
            Memory<byte> copy = ClientOutput.GetMemory(response.Length);
            response.CopyTo(copy.Span);
            BinaryPrimitives.WriteUInt32LittleEndian(copy.Span[(PacketHeader.Size + 1)..], id);
            ClientOutput.Advance(response.Length);
            await ClientOutput.FlushAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
        {
            return await BackendLostAsync(backend, ex.Message, _pins != PinCauses.None, ct).ConfigureAwait(false);
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
    /// Makes sure <paramref name="sql"/> is prepared on <paramref name="backend"/> in <paramref name="schema"/>;
    /// returns the server statement, or null with the server's ERR packet(s).
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(BackendStatement? Statement, byte[] Response)> PrepareOnAsync(BackendConnection backend, string sql, string? schema, CancellationToken ct)
    {
        var key = new StatementKey(sql, schema);
        BackendStatement? statement = backend.Statements.Find(key);
        if (statement is not null)
        {
            return (statement, statement.Response);
        }

        // Names in the statement resolve in the schema it was first prepared in.
        string? current = backend.State.Schema;
        bool switchSchema = schema is not null && !string.Equals(schema, current, StringComparison.Ordinal);
        if (switchSchema)
        {
            ErrPayload? error = await backend.InitDbAsync(schema!, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return (null, ErrorPacket(error));
            }
        }

        // Room first: the server never holds more than the limit of this connection's statements, not even
        // for the moment between preparing a new one and closing the least recently used.
        BackendStatement? evicted = backend.Statements.RemoveOldestIfFull(_context.Options.Pool.MaxPreparedPerConnection,
            KeyInUse(_cursorStatement), KeyInUse(_longDataStatement));
        if (evicted is not null)
        {
            await backend.CloseStatementAsync(evicted.Id, ct).ConfigureAwait(false);
        }

        byte[] response = await backend.PrepareAsync(sql, ct).ConfigureAwait(false);
        if (switchSchema && current is not null)
        {
            await backend.InitDbAsync(current, ct).ConfigureAwait(false);
        }

        if (response.Length < PacketHeader.Size + 9 || response[PacketHeader.Size] != OkPayload.Signature)
        {
            return (null, response);
        }

        ReadOnlySpan<byte> ok = response.AsSpan(PacketHeader.Size);
        statement = new BackendStatement(key, BinaryPrimitives.ReadUInt32LittleEndian(ok[1..]),
            BinaryPrimitives.ReadUInt16LittleEndian(ok[7..]), BinaryPrimitives.ReadUInt16LittleEndian(ok[5..]), response);
        backend.Statements.Add(statement);
        return (statement, response);
    }

    /// <summary>The backend statement a cursor or pending long data of this session depends on (it must stay prepared).</summary>
    private StatementKey? KeyInUse(uint id) =>
        id != 0 && _statements.TryGetValue(id, out ClientStatement? statement) ? new StatementKey(statement.Sql, statement.Schema) : null;

    /// <summary>
    /// COM_STMT_EXECUTE, _SEND_LONG_DATA, _CLOSE, _RESET, _FETCH and MariaDB's _BULK_EXECUTE: the client's
    /// statement id is translated to the server's on the connection that runs it, preparing it there first
    /// when it is not yet.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> StatementCommandAsync(CommandCode command, PacketHeader header, bool hasId, CancellationToken ct)
    {
        if (!hasId || header.PayloadLength < 5)
        {
            return await RefuseAsync(command, ErrorCodes.NetReadError, "08S01", "Got an error reading communication packets", ct).ConfigureAwait(false);
        }

        (uint id, byte flags, bool typesSent, byte[]? types) = await PeekStatementPacketAsync(command, header, ct).ConfigureAwait(false);
        if (id == LastPreparedStatement)
        {
            id = _lastPrepared;
        }

        if (!_statements.TryGetValue(id, out ClientStatement? statement))
        {
            if (!await DiscardClientPacketAsync(ct).ConfigureAwait(false))
            {
                return false;
            }

            if (ResponseScanner.HasResponse(command))
            {
                await PacketIO.WriteErrorAsync(ClientOutput, 1243, "HY000",
                    $"Unknown prepared statement handler ({id}) given to {StatementCommandName(command)}", 1, ct).ConfigureAwait(false);
            }

            return true;
        }

        switch (command)
        {
            case CommandCode.StatementClose:
                await DiscardClientPacketAsync(ct).ConfigureAwait(false);
                _statements.Remove(id);
                EndStatementPins(id);
                return true;

            case CommandCode.StatementReset when _backend is null:
                // Nothing of it is on any connection now: there is nothing to reset.
                await DiscardClientPacketAsync(ct).ConfigureAwait(false);
                EndStatementPins(id);
                await WriteOkAsync(1, ct).ConfigureAwait(false);
                return true;

            case CommandCode.StatementFetch when _cursorStatement != id || _backend is null:
                await DiscardClientPacketAsync(ct).ConfigureAwait(false);
                await PacketIO.WriteErrorAsync(ClientOutput, 1421, "HY000",
                    $"The statement ({id}) has no open cursor", 1, ct).ConfigureAwait(false);
                return true;

            default:
                break;
        }

        if (command == CommandCode.StatementExecute && typesSent && types is not null)
        {
            statement.ParameterTypes = types;
        }

        _hint = statement.Hint;
        _digest = statement.Digest;
        _digestText = statement.DigestText;
        StatementTraits routeTraits = command is CommandCode.StatementExecute or CommandCode.StatementSendLongData ? statement.Traits : StatementTraits.Write;
        (BackendConnection? backend, ErrPayload? failure) = await AcquireRoutedAsync(CommandCode.StatementExecute, routeTraits, ct).ConfigureAwait(false);
        if (backend is null)
        {
            if (!await DiscardClientPacketAsync(ct).ConfigureAwait(false))
            {
                return false;
            }

            if (ResponseScanner.HasResponse(command))
            {
                await WriteErrorAsync(failure!, 1, ct).ConfigureAwait(false);
            }

            return true;
        }

        BackendStatement? prepared;
        try
        {
            (prepared, byte[] response) = await PrepareOnAsync(backend, statement.Sql, statement.Schema, ct).ConfigureAwait(false);
            if (prepared is null)
            {
                // It prepared once; now the server refuses it (a table was dropped): the client sees why.
                await DiscardClientPacketAsync(ct).ConfigureAwait(false);
                if (ResponseScanner.HasResponse(command))
                {
                    await ClientOutput.WriteAsync(response, ct).ConfigureAwait(false);
                }

                ReleaseIfUnpinned();
                return true;
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
        {
            return await BackendLostAsync(backend, ex.Message, _pins != PinCauses.None, ct).ConfigureAwait(false);
        }

        if (command == CommandCode.StatementExecute && !typesSent && statement.Parameters > 0 && !prepared.HasParameterTypes && statement.ParameterTypes is not null)
        {
            // The client sent its types to another connection's copy of the statement: add them here.
            return await ExecuteWithTypesAsync(backend, statement, prepared, header, ct).ConfigureAwait(false);
        }

        if (command == CommandCode.StatementSendLongData)
        {
            _pins |= PinCauses.LongData;
            _longDataStatement = id;
        }

        _currentStatement = id;
        _currentFlags = flags;
        prepared.HasParameterTypes |= command == CommandCode.StatementExecute && typesSent;
        return await ForwardAsync(command, routeTraits, null, ct, prepared.Id).ConfigureAwait(false);
    }

    /// <summary>Cursor and long-data pins after a COM_STMT_* command (called before the connection is released).</summary>
    private PinCauses StatementPins(CommandCode command, PinCauses pins, ServerStatus status, bool error)
    {
        uint id = _currentStatement;
        switch (command)
        {
            case CommandCode.StatementExecute or CommandCode.StatementBulkExecute:
                if (_longDataStatement == id)
                {
                    _longDataStatement = 0;
                    pins &= ~PinCauses.LongData;
                }

                if (command == CommandCode.StatementExecute && (_currentFlags & CursorTypeReadOnly) != 0 && (status & ServerStatus.CursorExists) != 0)
                {
                    _cursorStatement = id;
                    pins |= PinCauses.Cursor;
                }

                break;

            case CommandCode.StatementFetch when error || (status & ServerStatus.LastRowSent) != 0:
            case CommandCode.StatementReset:
                if (_cursorStatement == id)
                {
                    _cursorStatement = 0;
                    pins &= ~PinCauses.Cursor;
                }

                if (command == CommandCode.StatementReset && _longDataStatement == id)
                {
                    _longDataStatement = 0;
                    pins &= ~PinCauses.LongData;
                }

                break;

            default:
                break;
        }

        return pins;
    }

    private void EndStatementPins(uint id)
    {
        if (_cursorStatement == id)
        {
            _cursorStatement = 0;
            _pins &= ~PinCauses.Cursor;
        }

        if (_longDataStatement == id)
        {
            _longDataStatement = 0;
            _pins &= ~PinCauses.LongData;
        }

        ReleaseIfUnpinned();
    }

    /// <summary>
    /// Reads a COM_STMT_* packet's statement id and, for COM_STMT_EXECUTE, its flags and whether (and which)
    /// parameter types it carries, without consuming the packet.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(uint Id, byte Flags, bool TypesSent, byte[]? Types)> PeekStatementPacketAsync(CommandCode command, PacketHeader header, CancellationToken ct)
    {
        ReadResult read = await ClientInput.ReadAsync(ct).ConfigureAwait(false);
        try
        {
            ReadOnlySequence<byte> payload = read.Buffer.Slice(PacketHeader.Size, Math.Min(header.PayloadLength, read.Buffer.Length - PacketHeader.Size));
            Span<byte> head = stackalloc byte[10];
            int headLength = (int)Math.Min(head.Length, payload.Length);
            payload.Slice(0, headLength).CopyTo(head);
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(head[1..]);
            if (command != CommandCode.StatementExecute || headLength < 10 || !_statements.TryGetValue(id == LastPreparedStatement ? _lastPrepared : id, out ClientStatement? statement))
            {
                return (id, headLength > 5 ? head[5] : (byte)0, false, null);
            }

            byte flags = head[5];
            int parameters = statement.Parameters;
            if (parameters == 0)
            {
                return (id, flags, false, null);
            }

            // [0x17][id 4][flags 1][iterations 4][null bitmap (n+7)/8][new params bound 1][types 2n]...
            int boundOffset = 10 + ((parameters + 7) / 8);
            if (payload.Length <= boundOffset)
            {
                return (id, flags, false, null);
            }

            bool typesSent = First(payload.Slice(boundOffset)) == 1;
            if (!typesSent || payload.Length < boundOffset + 1 + (2 * parameters))
            {
                return (id, flags, typesSent, null);
            }

            ReadOnlySequence<byte> types = payload.Slice(boundOffset + 1, 2 * parameters);
            byte[]? known = statement.ParameterTypes;
            if (known is not null && known.Length == types.Length && types.IsSingleSegment && types.FirstSpan.SequenceEqual(known))
            {
                return (id, flags, true, known);
            }

            return (id, flags, true, types.ToArray());
        }
        finally
        {
            ClientInput.AdvanceTo(read.Buffer.Start);
        }
    }

    /// <summary>
    /// A COM_STMT_EXECUTE without parameter types for a statement prepared anew on this connection: the
    /// packet is rebuilt with the types the client sent before (new-params-bound = 1).
    /// </summary>
    private async ValueTask<bool> ExecuteWithTypesAsync(BackendConnection backend, ClientStatement statement, BackendStatement prepared, PacketHeader header, CancellationToken ct)
    {
        byte[] packet = await TakeWholePacketAsync(header, ct).ConfigureAwait(false);
        int boundOffset = 10 + ((statement.Parameters + 7) / 8);
        byte[] types = statement.ParameterTypes!;
        byte[] rebuilt = new byte[packet.Length + types.Length];
        packet.AsSpan(0, boundOffset).CopyTo(rebuilt);
        BinaryPrimitives.WriteUInt32LittleEndian(rebuilt.AsSpan(1), prepared.Id);
        rebuilt[boundOffset] = 1;
        types.CopyTo(rebuilt.AsSpan(boundOffset + 1));
        packet.AsSpan(boundOffset + 1).CopyTo(rebuilt.AsSpan(boundOffset + 1 + types.Length));
        prepared.HasParameterTypes = true;
        _currentStatement = statement.Id;
        _currentFlags = packet[5];
        _ = backend;
        return await ForwardAsync(CommandCode.StatementExecute, StatementTraits.None, rebuilt.AsSpan(1).ToArray(), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// COM_RESET_CONNECTION: the session goes back to the state of a new connection. A connection pinned by
    /// state of the session's own is reset on the server (dropping its temporary tables, locks and
    /// statements); otherwise the session's own record of its state is all there is to reset (a connection
    /// kept only for the last statement's results goes back to the pool), and the proxy answers itself.
    /// </summary>
    private async ValueTask<bool> ResetConnectionAsync(CancellationToken ct)
    {
        if (_backend is null || (_pins & ~OneStatementPins) == PinCauses.None)
        {
            await DiscardClientPacketAsync(ct).ConfigureAwait(false);
            ResetSessionState(_desired.Schema);
            ReleaseIfUnpinned();
            await WriteOkAsync(1, ct).ConfigureAwait(false);
            return true;
        }

        // The reset ends the pins (the transaction with it): the connection is held until its record matches
        // what the server did, or another session could borrow it believing its old statements still exist.
        BackendConnection pinned = _backend;
        bool result;
        _holdBackend = true;
        try
        {
            result = await ForwardAsync(CommandCode.ResetConnection, StatementTraits.None, null, ct).ConfigureAwait(false);
        }
        finally
        {
            _holdBackend = false;
        }

        if (!_scanner.SawError && ReferenceEquals(_backend, pinned) && !pinned.IsBroken)
        {
            pinned.State.Reset(pinned.State.Schema);
            pinned.Statements.Clear();
            ResetSessionState(_desired.Schema);
            try
            {
                // The server also put session tracking back to its global settings, which need not track everything.
                await pinned.EnableSessionTrackingAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MySqlErrorException or PacketFormatException || IsConnectionEnd(ex))
            {
                pinned.MarkBroken();
            }
        }

        ReleaseIfUnpinned();
        return result;
    }

    private static string StatementCommandName(CommandCode command) => command switch
    {
        CommandCode.StatementExecute => "mysqld_stmt_execute",
        CommandCode.StatementFetch => "mysqld_stmt_fetch",
        CommandCode.StatementReset => "mysqld_stmt_reset",
        CommandCode.StatementSendLongData => "mysqld_stmt_send_long_data",
        _ => "mysqld_stmt_bulk_execute",
    };

    private static byte[] ErrorPacket(ErrPayload error)
    {
        using var payload = new PayloadWriter();
        error.Write(payload);
        var output = new ArrayBufferWriter<byte>();
        payload.WritePacketsTo(output, 1);
        return output.WrittenSpan.ToArray();
    }
}
