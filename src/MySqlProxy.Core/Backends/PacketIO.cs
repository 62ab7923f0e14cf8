using System.Buffers;
using System.IO.Pipelines;
using MySqlProxy.Protocol;

namespace MySqlProxy.Core.Backends;

/// <summary>
/// Whole-packet reads and writes for the phases the proxy takes part in itself (handshakes, its own
/// statements). The relay never uses these: it streams packets without gathering them.
/// </summary>
internal static class PacketIO
{
    /// <summary>Reads one packet and copies its payload out; a closed pipe throws <see cref="EndOfStreamException"/>.</summary>
    public static async ValueTask<(PacketHeader Header, byte[] Payload)> ReadPacketAsync(PipeReader reader, int maxPayload, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (PacketHeader.TryRead(buffer, out PacketHeader header))
            {
                if (header.PayloadLength > maxPayload)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new PacketFormatException($"packet of {header.PayloadLength} bytes is larger than the {maxPayload} expected here");
                }

                if (buffer.Length >= PacketHeader.Size + header.PayloadLength)
                {
                    byte[] payload = buffer.Slice(PacketHeader.Size, header.PayloadLength).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(PacketHeader.Size + header.PayloadLength));
                    return (header, payload);
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new EndOfStreamException(buffer.IsEmpty ? "connection closed" : "connection closed inside a packet");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Frames <paramref name="payload"/> from <paramref name="sequenceId"/>, flushes, and returns the next sequence id.</summary>
    public static async ValueTask<byte> WritePacketAsync(PipeWriter writer, PayloadWriter payload, byte sequenceId, CancellationToken cancellationToken)
    {
        byte next = payload.WritePacketsTo(writer, sequenceId);
        FlushResult flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flush.IsCompleted)
        {
            throw new EndOfStreamException("peer closed the connection");
        }

        return next;
    }

    /// <summary>Writes an ERR packet (protocol 4.1 form) and flushes.</summary>
    public static async ValueTask<byte> WriteErrorAsync(PipeWriter writer, ushort code, string sqlState, string message, byte sequenceId, CancellationToken cancellationToken)
    {
        using var payload = new PayloadWriter(message.Length + 16);
        new Protocol.Payloads.ErrPayload(code, sqlState, message).Write(payload);
        return await WritePacketAsync(writer, payload, sequenceId, cancellationToken).ConfigureAwait(false);
    }
}
