using System.Buffers;
using System.IO.Pipelines;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    /// <summary>Largest first packet of a command the session looks at whole (KILL, CONNECTION_ID(), COM_CHANGE_USER).</summary>
    private const int InspectLimit = 64 * 1024;

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
            if (read.IsCanceled || _stopRequested)
            {
                input.AdvanceTo(buffer.Start);
                return;
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
            bool isKill = command == CommandCode.Query && whole &&
                InspectQuery(buffer.Slice(PacketHeader.Size + 1, header.PayloadLength - 1), out kill, out rewritten);
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
                CommandCode.Query when rewritten is not null => await ForwardAsync(command, rewritten, ct).ConfigureAwait(false),
                CommandCode.ProcessKill when whole => await ProcessKillAsync(header, ct).ConfigureAwait(false),
                CommandCode.ChangeUser when whole => await ChangeUserAsync(header, ct).ConfigureAwait(false),
                CommandCode.ChangeUser or CommandCode.ProcessKill => await RefuseAsync(command, ErrorCodes.NetReadError, "08S01", "Got an error reading communication packets", ct).ConfigureAwait(false),
                CommandCode.Sleep or CommandCode.Connect or CommandCode.Time or CommandCode.DelayedInsert or
                    CommandCode.TableDump or CommandCode.ConnectOut or CommandCode.RegisterSlave or CommandCode.BinlogDump or
                    CommandCode.BinlogDumpGtid or CommandCode.Daemon => await RefuseAsync(command, ErrorCodes.UnknownCommand, "08S01", "Unknown command", ct).ConfigureAwait(false),
                _ when !Enum.IsDefined(command) => await RefuseAsync(command, ErrorCodes.UnknownCommand, "08S01", "Unknown command", ct).ConfigureAwait(false),
                _ => await ForwardAsync(command, rewritten: null, ct).ConfigureAwait(false),
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
    private bool InspectQuery(in ReadOnlySequence<byte> sqlBytes, out KillStatement kill, out byte[]? rewritten)
    {
        rewritten = null;
        kill = default;
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

            rewritten = SqlText.RewriteConnectionId(sql, Id);
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
    /// Sends the command to the backend (the packets waiting in the client pipe, or <paramref name="rewritten"/>
    /// SQL in their place) and relays the response, including a LOCAL INFILE upload.
    /// </summary>
    private async ValueTask<bool> ForwardAsync(CommandCode command, byte[]? rewritten, CancellationToken ct)
    {
        BackendConnection? backend = _backend;
        if (backend is null || backend.IsBroken)
        {
            if (rewritten is null)
            {
                await DiscardClientPacketAsync(ct).ConfigureAwait(false);
            }

            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.ServerLost, "HY000",
                $"MySqlProxy: lost connection to backend {_context.Primary.Name}", 1, ct).ConfigureAwait(false);
            return false;
        }

        Transition(SessionState.Idle, SessionState.Busy);
        try
        {
            _sentToClient = false;
            if (rewritten is null)
            {
                ForwardOutcome forwarded = await ForwardClientPacketsAsync(backend.Output, untilEmptyPacket: false, ct).ConfigureAwait(false);
                if (forwarded == ForwardOutcome.ClientGone)
                {
                    // Half a command went to the backend: that connection can never be used again.
                    backend.MarkBroken();
                    return false;
                }

                if (forwarded == ForwardOutcome.BackendLost)
                {
                    return await BackendLostAsync(backend, "connection closed while sending", ct).ConfigureAwait(false);
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
                    return await BackendLostAsync(backend, ex.Message, ct).ConfigureAwait(false);
                }
            }

            if (!ResponseScanner.HasResponse(command))
            {
                return true;
            }

            _scanner.Start(command, backend.Capabilities);
            while (true)
            {
                RelayOutcome outcome = await RelayResponseAsync(backend.Input, ct).ConfigureAwait(false);
                switch (outcome)
                {
                    case RelayOutcome.Complete:
                        backend.Status = _scanner.LastStatus;
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
                            return await BackendLostAsync(backend, "connection closed during LOCAL INFILE", ct).ConfigureAwait(false);
                        }

                        _scanner.ClientDataSent();
                        break;

                    case RelayOutcome.ClientGone:
                        backend.MarkBroken();
                        return false;

                    default:
                        return await BackendLostAsync(backend, "connection closed during the response", ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (_state == SessionState.Busy)
            {
                _state = SessionState.Idle;
            }
        }
    }

    /// <summary>
    /// The backend died mid-statement: the client gets an ERR in place of the rest of the response and the
    /// session ends, because whatever state it had on that connection (transaction, variables) is gone.
    /// </summary>
    private async ValueTask<bool> BackendLostAsync(BackendConnection backend, string reason, CancellationToken ct)
    {
        backend.MarkBroken();
        if (!_killed)
        {
            Log.BackendLost(_logger, Id, backend.Backend.Name, reason);
        }

        byte sequence = _sentToClient ? (byte)(_lastSequenceToClient + 1) : (byte)1;
        (ushort code, string state, string message) = _killed
            ? (ErrorCodes.ConnectionKilled, "70100", "Connection was killed")
            : (ErrorCodes.ServerLost, "HY000", $"Lost connection to backend {backend.Backend.Name} ({backend.Backend.Host}:{backend.Backend.Port}) during query");
        try
        {
            await PacketIO.WriteErrorAsync(ClientOutput, code, state, message, sequence, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // The client is gone too.
        }

        return false;
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

    /// <summary>Takes a (small) command packet out of the client pipe, for commands the session handles itself.</summary>
    private async ValueTask<byte[]> TakeWholePacketAsync(PacketHeader header, CancellationToken ct)
    {
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
