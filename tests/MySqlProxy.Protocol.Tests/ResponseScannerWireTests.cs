using System.Buffers;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests;

/// <summary>
/// Responses with rows of 16 MiB and more, framed by <see cref="PayloadWriter.WritePacketsTo"/> and taken apart with
/// <see cref="PacketHeader.TryRead"/> as the relay does: only the first packet of a split payload reaches the scanner.
/// </summary>
public sealed class ResponseScannerWireTests
{
    private const string Column = "036465660000000162000c2d0000000004fb0000270000";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scan_RowSplitAcrossPacketsWhoseTailLooksLikeEof_CompletesAtTheRealTerminator(bool deprecateEof)
    {
        // A 0xFE-prefixed value of 2^24 bytes: the row is 2^24 + 9 bytes, so its continuation packet carries 10 bytes,
        // the last 5 of them "FE 0000 0200" - an EOF if anyone mistook the continuation for a packet of its own.
        byte[] row = new byte[9 + (1 << 24)];
        row[0] = 0xFE;
        row[4] = 0x01;
        Hex.Bytes("FE00000200").CopyTo(row, row.Length - 5);
        string terminator = deprecateEof ? "FE000002000000" : "FE00000200";
        List<byte[]> payloads = deprecateEof
            ? [Hex.Bytes("01"), Hex.Bytes(Column), row, Hex.Bytes(terminator)]
            : [Hex.Bytes("01"), Hex.Bytes(Column), Hex.Bytes("FE00000200"), row, Hex.Bytes(terminator)];
        byte[] wire = Frame(payloads);

        foreach (ReadOnlySequence<byte> sequence in SplitsAroundHeaders(wire))
        {
            var scanner = default(ResponseScanner);
            scanner.Start(CommandCode.Query, deprecateEof ? Capabilities.Protocol41 | Capabilities.DeprecateEof : Capabilities.Protocol41);

            Assert.Equal(ScannerDriver.CompleteAtLast(payloads.Count), Wire.Scan(ref scanner, sequence));
        }
    }

    [Fact]
    public void Scan_RowOfExactlyMaxLength_EmptyContinuationIsNotFed()
    {
        // A row of exactly 0xFFFFFF bytes is followed by an empty packet, which must not reach the scanner (it throws on one).
        byte[] row = new byte[PacketHeader.MaxPayloadLength];
        Hex.Bytes("FDFBFFFF").CopyTo(row, 0);
        List<byte[]> payloads = [Hex.Bytes("01"), Hex.Bytes(Column), row, Hex.Bytes("FE000002000000")];
        byte[] wire = Frame(payloads);
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Capabilities.Protocol41 | Capabilities.DeprecateEof);

        List<ScanOutcome> outcomes = Wire.Scan(ref scanner, new ReadOnlySequence<byte>(wire));

        Assert.Equal(ScannerDriver.CompleteAtLast(4), outcomes);
        Assert.Equal([1, 23, PacketHeader.MaxPayloadLength, 0, 7], PayloadLengths(wire));
    }

    private static byte[] Frame(List<byte[]> payloads)
    {
        var output = new ArrayBufferWriter<byte>();
        byte sequenceId = 1;
        foreach (byte[] payload in payloads)
        {
            using var writer = new PayloadWriter(payload.Length);
            writer.Write(payload);
            sequenceId = writer.WritePacketsTo(output, sequenceId);
        }

        return output.WrittenSpan.ToArray();
    }

    private static List<int> PayloadLengths(ReadOnlySpan<byte> wire)
    {
        var lengths = new List<int>();
        while (wire.Length > 0)
        {
            PacketHeader header = PacketHeader.Read(wire);
            lengths.Add(header.PayloadLength);
            wire = wire[(PacketHeader.Size + header.PayloadLength)..];
        }

        return lengths;
    }

    /// <summary>The wire whole, and split inside and right after each header of the first few packets and of the last ones.</summary>
    private static IEnumerable<ReadOnlySequence<byte>> SplitsAroundHeaders(byte[] wire)
    {
        yield return new ReadOnlySequence<byte>(wire);
        foreach (int offset in new[] { 1, 3, 4, 5, 6, 9, 30, 36, wire.Length - 12, wire.Length - 9, wire.Length - 7, wire.Length - 1 })
        {
            yield return Sequences.Split(wire, offset);
        }

        yield return Sequences.Split(wire, 2, 5, 7, 40, 1 << 23, wire.Length - 20, wire.Length - 3);
    }
}
