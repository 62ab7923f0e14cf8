using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using MySqlProxy.Core.Backends;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

/// <summary>How relaying one response ended.</summary>
internal enum RelayOutcome
{
    /// <summary>The response is complete.</summary>
    Complete,

    /// <summary>The server asked for LOCAL INFILE data.</summary>
    NeedClientData,

    /// <summary>The backend connection ended or failed before the response was complete.</summary>
    BackendLost,

    /// <summary>The client went away.</summary>
    ClientGone,
}

internal sealed partial class ClientSession
{
    /// <summary>How forwarding client packets ended.</summary>
    private enum ForwardOutcome
    {
        Done,
        ClientGone,
        BackendLost,
    }

    /// <summary>Largest packet treated as a possible OK (read whole for its session state).</summary>
    private const int MaxOkPacket = 0xFFFF;

    private ResponseScanner _scanner;
    private byte _lastSequenceToClient;
    private bool _sentToClient;

    /// <summary>
    /// Streams the backend's response to the client: every byte is copied through as it arrives, the scanner
    /// sees each logical packet's first bytes to find the end, and the client pipe is flushed once per read.
    /// Nothing is allocated per packet.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RelayOutcome> RelayResponseAsync(BackendConnection connection, CancellationToken ct)
    {
        PipeReader backend = connection.Input;
        PipeWriter client = ClientOutput;
        bool backendTracks = (connection.Capabilities & Capabilities.SessionTrack) != 0;
        bool clientTracks = (_capabilities & Capabilities.SessionTrack) != 0;
        long remaining = 0;
        bool continuation = false;
        ScanOutcome outcome = ScanOutcome.Continue;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await backend.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
            {
                return RelayOutcome.BackendLost;
            }

            ReadOnlySequence<byte> buffer = read.Buffer;
            bool complete = false;
            while (true)
            {
                if (remaining > 0)
                {
                    if (buffer.IsEmpty)
                    {
                        break;
                    }

                    long n = Math.Min(remaining, buffer.Length);
                    Copy(buffer.Slice(0, n), client);
                    buffer = buffer.Slice(n);
                    remaining -= n;
                    if (remaining > 0)
                    {
                        break;
                    }

                    if (outcome != ScanOutcome.Continue && !continuation)
                    {
                        complete = true;
                        break;
                    }

                    continue;
                }

                if (!PacketHeader.TryRead(buffer, out PacketHeader header))
                {
                    break;
                }

                int prefixLength = Math.Min(header.PayloadLength, ResponseScanner.PrefixSize);
                if (buffer.Length < PacketHeader.Size + prefixLength)
                {
                    break;
                }

                // An OK packet is small and carries session state: it is read whole.
                bool okCandidate = !continuation && header.PayloadLength is > 0 and <= MaxOkPacket &&
                    First(buffer.Slice(PacketHeader.Size)) is OkPayload.Signature or EofPayload.Signature;
                if (okCandidate && buffer.Length < PacketHeader.Size + header.PayloadLength)
                {
                    break;
                }

                if (!continuation)
                {
                    outcome = FeedScanner(buffer.Slice(PacketHeader.Size, prefixLength), header.PayloadLength);
                }

                continuation = header.HasContinuation;
                _lastSequenceToClient = header.SequenceId;
                _sentToClient = true;
                if (okCandidate && _scanner.LastPacketWasOk)
                {
                    HandleOk(connection, buffer.Slice(PacketHeader.Size, header.PayloadLength), header.SequenceId, backendTracks, clientTracks);
                    buffer = buffer.Slice(PacketHeader.Size + header.PayloadLength);
                    if (outcome != ScanOutcome.Continue)
                    {
                        complete = true;
                        break;
                    }

                    continue;
                }

                long total = PacketHeader.Size + (long)header.PayloadLength;
                long available = Math.Min(total, buffer.Length);
                Copy(buffer.Slice(0, available), client);
                buffer = buffer.Slice(available);
                remaining = total - available;
                if (remaining == 0 && outcome != ScanOutcome.Continue && !continuation)
                {
                    complete = true;
                    break;
                }
            }

            backend.AdvanceTo(buffer.Start, complete ? buffer.Start : read.Buffer.End);
            FlushResult flush;
            try
            {
                flush = await client.FlushAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
            {
                return RelayOutcome.ClientGone;
            }

            if (flush.IsCompleted)
            {
                return RelayOutcome.ClientGone;
            }

            if (complete)
            {
                return outcome == ScanOutcome.NeedClientData ? RelayOutcome.NeedClientData : RelayOutcome.Complete;
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                return RelayOutcome.BackendLost;
            }
        }
    }

    /// <summary>
    /// Streams packets from the client to the backend: one logical packet (a command, however many 16 MiB
    /// pieces it takes) or, for LOCAL INFILE, every packet up to and including the empty one that ends the file.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardOutcome> ForwardClientPacketsAsync(PipeWriter backend, bool untilEmptyPacket, CancellationToken ct, uint? statementId = null)
    {
        PipeReader client = ClientInput;
        long remaining = 0;
        bool last = false;
        bool first = true;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await client.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
            {
                return ForwardOutcome.ClientGone;
            }

            if (read.IsCanceled && !read.IsCompleted)
            {
                // A stop request landed mid-command: finish the command first.
                client.AdvanceTo(read.Buffer.Start);
                continue;
            }

            ReadOnlySequence<byte> buffer = read.Buffer;
            bool done = false;
            while (true)
            {
                if (remaining > 0)
                {
                    if (buffer.IsEmpty)
                    {
                        break;
                    }

                    long n = Math.Min(remaining, buffer.Length);
                    Copy(buffer.Slice(0, n), backend);
                    buffer = buffer.Slice(n);
                    remaining -= n;
                    if (remaining > 0)
                    {
                        break;
                    }

                    if (last)
                    {
                        done = true;
                        break;
                    }

                    continue;
                }

                if (!PacketHeader.TryRead(buffer, out PacketHeader header))
                {
                    break;
                }

                last = untilEmptyPacket ? header.PayloadLength == 0 : !header.HasContinuation;
                long total = PacketHeader.Size + (long)header.PayloadLength;
                if (first && statementId is uint id)
                {
                    // COM_STMT_*: the client's statement id (bytes 1-4) becomes the server's on this connection.
                    if (buffer.Length < PacketHeader.Size + 5)
                    {
                        break;
                    }

                    Copy(buffer.Slice(0, PacketHeader.Size + 1), backend);
                    Span<byte> idBytes = backend.GetSpan(4);
                    BinaryPrimitives.WriteUInt32LittleEndian(idBytes, id);
                    backend.Advance(4);
                    buffer = buffer.Slice(PacketHeader.Size + 5);
                    total -= PacketHeader.Size + 5;
                }

                first = false;
                long available = Math.Min(total, buffer.Length);
                Copy(buffer.Slice(0, available), backend);
                buffer = buffer.Slice(available);
                remaining = total - available;
                if (remaining == 0 && last)
                {
                    done = true;
                    break;
                }
            }

            client.AdvanceTo(buffer.Start, done ? buffer.Start : read.Buffer.End);
            FlushResult flush;
            try
            {
                flush = await backend.FlushAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionEnd(ex) && ex is not OperationCanceledException)
            {
                return ForwardOutcome.BackendLost;
            }

            if (flush.IsCompleted)
            {
                return ForwardOutcome.BackendLost;
            }

            if (done)
            {
                return ForwardOutcome.Done;
            }

            if (read.IsCompleted)
            {
                return ForwardOutcome.ClientGone;
            }
        }
    }

    /// <summary>Reads and drops one logical packet from the client (a command the proxy refuses).</summary>
    private async ValueTask<bool> DiscardClientPacketAsync(CancellationToken ct)
    {
        PipeReader client = ClientInput;
        long remaining = 0;
        bool last = false;
        while (true)
        {
            ReadResult read = await client.ReadAsync(ct).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            bool done = false;
            while (true)
            {
                if (remaining > 0)
                {
                    long n = Math.Min(remaining, buffer.Length);
                    buffer = buffer.Slice(n);
                    remaining -= n;
                    if (remaining > 0 || buffer.IsEmpty && !last)
                    {
                        break;
                    }

                    if (last)
                    {
                        done = true;
                        break;
                    }

                    continue;
                }

                if (!PacketHeader.TryRead(buffer, out PacketHeader header))
                {
                    break;
                }

                last = !header.HasContinuation;
                remaining = PacketHeader.Size + (long)header.PayloadLength;
            }

            client.AdvanceTo(buffer.Start, done ? buffer.Start : read.Buffer.End);
            if (done)
            {
                return true;
            }

            if (read.IsCompleted)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Reads an OK packet's session state (schema, variables, "something changed"), counts what the pin logic
    /// needs (insert id, warnings), and writes the packet to the client: as it came, or without the session
    /// state for a client that did not ask for CLIENT_SESSION_TRACK.
    /// </summary>
    private void HandleOk(BackendConnection connection, in ReadOnlySequence<byte> payload, byte sequenceId, bool backendTracks, bool clientTracks)
    {
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> span;
            if (payload.IsSingleSegment)
            {
                span = payload.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
                payload.CopyTo(rented);
                span = rented.AsSpan(0, (int)payload.Length);
            }

            if (!OkPacket.TryRead(span, backendTracks, out OkPacket ok))
            {
                WritePacket(ClientOutput, span, sequenceId);
                return;
            }

            _lastInsertId = ok.LastInsertId;
            if (ok.LastInsertId != 0)
            {
                // What LAST_INSERT_ID() means for this session, and what it means on that connection now.
                _sessionInsertId = ok.LastInsertId;
                connection.InsertId = ok.LastInsertId;
            }
            _warnings = ok.Warnings;
            if (!ok.SessionState.IsEmpty)
            {
                foreach (SessionStateEntry entry in ok.GetSessionStateEntries())
                {
                    switch (entry.Type)
                    {
                        case SessionTrackType.SystemVariables when entry.TryReadVariable(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value):
                            OnTrackedVariable(name, value);
                            if (!_statementScopedVariables)
                            {
                                _desired.Set(name, value);
                                connection.State.Set(name, value);
                            }

                            _stateTracked = true;
                            break;

                        case SessionTrackType.Schema:
                            string schema = entry.ReadSchema();
                            _desired.Schema = schema;
                            connection.State.Schema = schema;
                            _stateTracked = true;
                            break;

                        case SessionTrackType.StateChange:
                            _stateChanged = true;
                            break;

                        default:
                            break;
                    }
                }
            }

            if (clientTracks || !backendTracks)
            {
                WritePacket(ClientOutput, span, sequenceId);
            }
            else
            {
                Span<byte> destination = ClientOutput.GetSpan(PacketHeader.Size + ok.LengthWithoutSessionTrack);
                ClientOutput.Advance(ok.WriteWithoutSessionTrack(destination, sequenceId));
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void WritePacket(PipeWriter output, ReadOnlySpan<byte> payload, byte sequenceId)
    {
        Span<byte> destination = output.GetSpan(PacketHeader.Size + payload.Length);
        PacketHeader.Write(destination, payload.Length, sequenceId);
        payload.CopyTo(destination[PacketHeader.Size..]);
        output.Advance(PacketHeader.Size + payload.Length);
    }

    private ScanOutcome FeedScanner(in ReadOnlySequence<byte> prefix, int payloadLength)
    {
        if (prefix.IsSingleSegment)
        {
            return _scanner.Feed(prefix.FirstSpan, payloadLength);
        }

        Span<byte> copy = stackalloc byte[ResponseScanner.PrefixSize];
        prefix.CopyTo(copy);
        return _scanner.Feed(copy[..(int)prefix.Length], payloadLength);
    }

    private static void Copy(in ReadOnlySequence<byte> source, PipeWriter destination)
    {
        if (source.IsSingleSegment)
        {
            destination.Write(source.FirstSpan);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in source)
        {
            destination.Write(segment.Span);
        }
    }
}
