using System.Buffers;
using System.Buffers.Binary;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests;

/// <summary>The scanner against responses captured from MariaDB 10.11 (<see cref="MariaDbCaptures"/>).</summary>
public sealed class ResponseScannerCapturedTests
{
    public static TheoryData<string> Answered => [.. MariaDbCaptures.Responses.Where(r => r.Value.Packets.Length > 0).Select(r => r.Key)];

    public static TheoryData<string> AnsweredWithWholePackets =>
        [.. MariaDbCaptures.Responses.Where(r => r.Value.Packets.Length > 0 && r.Value.Parse().All(p => p.IsWhole)).Select(r => r.Key)];

    [Theory]
    [MemberData(nameof(Answered))]
    public void Feed_CapturedResponse_CompletesExactlyAtTheLastPacket(string name)
    {
        CapturedResponse response = MariaDbCaptures.Responses[name];
        var scanner = default(ResponseScanner);
        scanner.Start(response.Command, response.Capabilities);

        ScanOutcome[] outcomes = ScannerDriver.Feed(ref scanner, response.Parse());

        Assert.Equal(Expected(name, response.Packets.Length), outcomes);
        Assert.True(scanner.IsComplete);
    }

    [Theory]
    [MemberData(nameof(AnsweredWithWholePackets))]
    public void Feed_CapturedResponseOnTheWireSplitAtEveryOffset_SameOutcomes(string name)
    {
        CapturedResponse response = MariaDbCaptures.Responses[name];
        byte[] wire = Wire.Frame(response.Parse().Select(p => p.Payload));
        ScanOutcome[] expected = Expected(name, response.Packets.Length);

        foreach (ReadOnlySequence<byte> sequence in Sequences.SplitAtEveryOffset(wire))
        {
            var scanner = default(ResponseScanner);
            scanner.Start(response.Command, response.Capabilities);

            Assert.Equal(expected, Wire.Scan(ref scanner, sequence));
            Assert.True(scanner.IsComplete);
        }
    }

    [Theory]
    [InlineData("eof/init_db", ServerStatus.Autocommit, false)]
    [InlineData("deof/init_db_err", ServerStatus.None, true)]
    [InlineData("eof/ok", ServerStatus.Autocommit, false)]
    [InlineData("deof/err", ServerStatus.None, true)]
    [InlineData("eof/rows", ServerStatus.Autocommit | ServerStatus.NoIndexUsed, false)]
    [InlineData("deof/rows", ServerStatus.Autocommit | ServerStatus.NoIndexUsed, false)]
    [InlineData("eof/multi_rs", ServerStatus.Autocommit, false)]
    [InlineData("deof/multi_ok_ok_rs", ServerStatus.Autocommit, false)]
    [InlineData("eof/multi_ok_err", ServerStatus.Autocommit | ServerStatus.MoreResultsExist, true)]
    [InlineData("deof/call", ServerStatus.Autocommit, false)]
    [InlineData("eof/huge_fe", ServerStatus.Autocommit, false)]
    [InlineData("deof/huge_fe", ServerStatus.Autocommit, false)]
    [InlineData("eof/huge_exact", ServerStatus.Autocommit, false)]
    [InlineData("deof/begin", ServerStatus.Autocommit | ServerStatus.InTransaction, false)]
    [InlineData("eof/commit", ServerStatus.Autocommit, false)]
    [InlineData("eof/exec_rows", ServerStatus.Autocommit, false)]
    [InlineData("eof/exec_cursor", ServerStatus.Autocommit | ServerStatus.CursorExists, false)]
    [InlineData("deof/exec_cursor", ServerStatus.Autocommit | ServerStatus.CursorExists, false)]
    [InlineData("eof/fetch_2", ServerStatus.Autocommit | ServerStatus.CursorExists, false)]
    [InlineData("deof/fetch_last", ServerStatus.Autocommit | ServerStatus.LastRowSent, false)]
    [InlineData("eof/exec_call_out", ServerStatus.Autocommit, false)]
    [InlineData("deof/field_list", ServerStatus.Autocommit, false)]
    [InlineData("eof/field_list_err", ServerStatus.None, true)]
    [InlineData("eof/set_option", ServerStatus.Autocommit, false)]
    [InlineData("deof/set_option", ServerStatus.Autocommit, false)]
    [InlineData("deof/statistics", ServerStatus.None, false)]
    public void Feed_CapturedResponse_ReportsStatusAndError(string name, ServerStatus status, bool sawError)
    {
        CapturedResponse response = MariaDbCaptures.Responses[name];
        var scanner = default(ResponseScanner);
        scanner.Start(response.Command, response.Capabilities);

        ScannerDriver.Feed(ref scanner, response.Parse());

        Assert.Equal(status, scanner.LastStatus);
        Assert.Equal(sawError, scanner.SawError);
    }

    [Theory]
    [InlineData("eof/infile")]
    [InlineData("deof/infile")]
    public void Feed_CapturedLocalInfile_AsksForClientDataThenCountsRows(string name)
    {
        CapturedResponse response = MariaDbCaptures.Responses[name];
        var scanner = default(ResponseScanner);
        scanner.Start(response.Command, response.Capabilities);
        IReadOnlyList<ResponsePacket> packets = response.Parse();

        Assert.Equal(ScanOutcome.NeedClientData, scanner.Feed(packets[0].Prefix, packets[0].PayloadLength));
        scanner.ClientDataSent();
        Assert.Equal(ScanOutcome.Complete, scanner.Feed(packets[1].Prefix, packets[1].PayloadLength));
        Assert.Equal(2UL, scanner.AffectedRows);
        Assert.Equal(ServerStatus.Autocommit, scanner.LastStatus);
    }

    [Theory]
    [InlineData("eof/prep_2_2")]
    [InlineData("deof/prep_2_2")]
    [InlineData("eof/prep_0_0")]
    [InlineData("eof/prep_1_2")]
    [InlineData("deof/prep_1_2")]
    [InlineData("eof/prep_1_0")]
    [InlineData("deof/prep_0_1")]
    [InlineData("eof/prep_call_out")]
    public void Feed_CapturedPrepare_ReportsStatementId(string name)
    {
        CapturedResponse response = MariaDbCaptures.Responses[name];
        IReadOnlyList<ResponsePacket> packets = response.Parse();
        var scanner = default(ResponseScanner);
        scanner.Start(response.Command, response.Capabilities);

        ScannerDriver.Feed(ref scanner, packets);

        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(packets[0].Payload.AsSpan(1)), scanner.PreparedStatementId);
        Assert.NotEqual(0u, scanner.PreparedStatementId);
        Assert.False(scanner.SawError);
    }

    [Fact]
    public void CapturedStatementClose_NoResponse_HasResponseFalse()
    {
        CapturedResponse response = MariaDbCaptures.Responses["eof/stmt_close"];

        Assert.Empty(response.Packets);
        Assert.False(ResponseScanner.HasResponse(response.Command));
    }

    [Fact]
    public void CapturedHugeRows_FirstPacketIsFull()
    {
        // The capture shows what the scanner must not mistake for an EOF: a full packet starting with 0xFE.
        ResponsePacket fe = MariaDbCaptures.Responses["eof/huge_fe"].Parse()[3];
        ResponsePacket exact = MariaDbCaptures.Responses["deof/huge_exact"].Parse()[2];

        Assert.Equal((PacketHeader.MaxPayloadLength, (byte)0xFE), (fe.PayloadLength, fe.Payload[0]));
        Assert.Equal((PacketHeader.MaxPayloadLength, (byte)0xFD), (exact.PayloadLength, exact.Payload[0]));
    }

    private static ScanOutcome[] Expected(string name, int count)
    {
        ScanOutcome[] expected = ScannerDriver.CompleteAtLast(count);
        if (name.EndsWith("/infile", StringComparison.Ordinal))
        {
            expected[0] = ScanOutcome.NeedClientData;
        }

        return expected;
    }
}
