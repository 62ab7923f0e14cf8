using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests;

/// <summary>
/// Hand-built responses (https://mariadb.com/kb/en/result-set-packets/,
/// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html) for the shapes and edge
/// cases that a capture does not show; <see cref="ResponseScannerCapturedTests"/> covers real MariaDB traffic.
/// </summary>
public sealed class ResponseScannerTests
{
    private const Capabilities Eof = Capabilities.Protocol41;
    private const Capabilities DeprecateEof = Capabilities.Protocol41 | Capabilities.DeprecateEof;

    private const string Ok = "00 00 00 0200 0000";
    private const string OkInTransaction = "00 01 00 0300 0000";
    private const string OkMore = "00 00 00 0A00 0000";
    private const string OkMoreInTransaction = "00 02 00 0B00 0000";
    private const string Err = "FF 7A04 2334325330 32 5461626c65";
    private const string Column = "03 646566 00 00 00 0161 00 0c 3f00 01000000 03 8100 00 0000";
    private const string ColumnsEof = "FE 0000 0200";
    private const string EofAutocommit = "FE 0000 0200";
    private const string EofMore = "FE 0000 0A00";
    private const string EofCursor = "FE 0000 4200";
    private const string EofLastRow = "FE 0000 8200";
    private const string OkTerminator = "FE 00 00 0200 0000";
    private const string OkTerminatorMore = "FE 00 00 0A00 0000";
    private const string OkTerminatorCursor = "FE 00 00 4200 0000";
    private const string TextRow = "0131 0178";
    private const string BinaryRow = "00 00 01000000";

    /// <summary>A text row whose first value is 16 MiB: its length starts with 0xFE and the packet is full (a continuation follows).</summary>
    private const string HugeRowStartingWithFe = "16777215:FE 0000000100000000 6161616161616161";

    [Fact]
    public void Query_Ok_CompletesAtOnce()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, OkInTransaction);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.True(scanner.IsComplete);
        Assert.False(scanner.SawError);
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit, scanner.LastStatus);
        Assert.Equal(1UL, scanner.AffectedRows);
    }

    [Fact]
    public void Query_Err_CompletesWithError()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, DeprecateEof, Err);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void Query_TextResultSetWithEof_CompletesAtSecondEof()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof,
            "02", Column, Column, ColumnsEof, TextRow, TextRow, "FE 0100 2200");

        Assert.Equal(ScannerDriver.CompleteAtLast(7), outcomes);
        Assert.Equal(ServerStatus.Autocommit | ServerStatus.NoIndexUsed, scanner.LastStatus);
        Assert.False(scanner.SawError);
    }

    [Fact]
    public void Query_TextResultSetWithEofNoRows_CompletesAtSecondEof()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, "01", Column, ColumnsEof, EofAutocommit);

        Assert.Equal(ScannerDriver.CompleteAtLast(4), outcomes);
    }

    [Fact]
    public void Query_TextResultSetDeprecateEof_CompletesAtOkTerminator()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, DeprecateEof,
            "02", Column, Column, TextRow, TextRow, "FE 00 00 2300 0100");

        Assert.Equal(ScannerDriver.CompleteAtLast(6), outcomes);
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit | ServerStatus.NoIndexUsed, scanner.LastStatus);
    }

    [Fact]
    public void Query_DeprecateEofNoRows_CompletesRightAfterColumns()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, DeprecateEof, "01", Column, OkTerminator);

        Assert.Equal(ScannerDriver.CompleteAtLast(3), outcomes);
    }

    [Fact]
    public void Query_DeprecateEofFirstRowLooksLikeEof_IsStillARow()
    {
        // Without CLIENT_DEPRECATE_EOF the packet after the columns is an EOF; with it, that position is already a row.
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, DeprecateEof,
            "01", Column, "0131", OkTerminator);

        Assert.Equal(ScannerDriver.CompleteAtLast(4), outcomes);
    }

    [Fact]
    public void Query_DeprecateEofClassicEofTerminator_ReadsItsStatus()
    {
        // A 5-byte EOF where an OK is due (MySQL sends one after a cursor's metadata) still ends the result.
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementExecute, DeprecateEof, "01", Column, EofCursor);

        Assert.Equal(ScannerDriver.CompleteAtLast(3), outcomes);
        Assert.Equal(ServerStatus.Autocommit | ServerStatus.CursorExists, scanner.LastStatus);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Query_HugeRowStartingWithFe_DoesNotEndTheResult(bool deprecateEof)
    {
        var scanner = default(ResponseScanner);
        string[] packets = deprecateEof
            ? ["01", Column, HugeRowStartingWithFe, OkTerminator]
            : ["01", Column, ColumnsEof, HugeRowStartingWithFe, EofAutocommit];

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, deprecateEof ? DeprecateEof : Eof, packets);

        Assert.Equal(ScannerDriver.CompleteAtLast(packets.Length), outcomes);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(0xFFFFFE)]
    public void Query_WithoutDeprecateEofFeRowOf9BytesOrMore_IsARow(int payloadLength)
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof,
            "01", Column, ColumnsEof, $"{payloadLength}:FE0000000000000000", EofAutocommit);

        Assert.Equal(ScannerDriver.CompleteAtLast(5), outcomes);
    }

    [Fact]
    public void Query_ErrAfterRows_CompletesWithError()
    {
        // e.g. ER_QUERY_INTERRUPTED (KILL QUERY) in the middle of the rows.
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof,
            "01", Column, ColumnsEof, TextRow, "FF 2505 23 3730313030 5175657279");

        Assert.Equal(ScannerDriver.CompleteAtLast(5), outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void Query_ErrInsteadOfColumnsEof_CompletesWithError()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, "01", Column, Err);

        Assert.Equal(ScannerDriver.CompleteAtLast(3), outcomes);
        Assert.True(scanner.SawError);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Query_TwoResultSets_ContinuesPastTheFirstTerminator(bool deprecateEof)
    {
        var scanner = default(ResponseScanner);
        string[] packets = deprecateEof
            ? ["01", Column, TextRow, OkTerminatorMore, "01", Column, TextRow, OkTerminator]
            : ["01", Column, ColumnsEof, TextRow, EofMore, "01", Column, ColumnsEof, TextRow, EofAutocommit];

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, deprecateEof ? DeprecateEof : Eof, packets);

        Assert.Equal(ScannerDriver.CompleteAtLast(packets.Length), outcomes);
        Assert.Equal(ServerStatus.Autocommit, scanner.LastStatus);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Query_CallResultSetThenOk_CompletesAtTheOk(bool deprecateEof)
    {
        var scanner = default(ResponseScanner);
        string[] packets = deprecateEof
            ? ["01", Column, TextRow, OkTerminatorMore, "00 03 00 0200 0000"]
            : ["01", Column, ColumnsEof, TextRow, EofMore, "00 03 00 0200 0000"];

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, deprecateEof ? DeprecateEof : Eof, packets);

        Assert.Equal(ScannerDriver.CompleteAtLast(packets.Length), outcomes);
        Assert.Equal(3UL, scanner.AffectedRows);
        Assert.Equal(ServerStatus.Autocommit, scanner.LastStatus);
    }

    [Fact]
    public void Query_MultiStatementOkOkResultSet_CompletesAtTheLastTerminator()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, DeprecateEof,
            OkMore, OkMoreInTransaction, "01", Column, TextRow, "FE 00 00 0300 0000");

        Assert.Equal(ScannerDriver.CompleteAtLast(6), outcomes);
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit, scanner.LastStatus);
        Assert.Equal(2UL, scanner.AffectedRows);
    }

    [Fact]
    public void Query_MultiStatementOkThenErr_CompletesAtTheErr()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, OkMore, Err);

        Assert.Equal(ScannerDriver.CompleteAtLast(2), outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void Query_ManyColumns_CountsLengthEncodedColumnCount()
    {
        var scanner = default(ResponseScanner);
        string[] packets = ["FCFB00", .. Enumerable.Repeat(Column, 251), ColumnsEof, TextRow, EofAutocommit];

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, packets);

        Assert.Equal(ScannerDriver.CompleteAtLast(packets.Length), outcomes);
    }

    [Fact]
    public void Query_ColumnDefinitionStartingWithFe_IsCountedNotTakenForEof()
    {
        // Column definitions are counted, not inspected: a short 0xFE packet in their place is a column.
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, "02", Column, "FE00000200", ColumnsEof, EofAutocommit);

        Assert.Equal(ScannerDriver.CompleteAtLast(5), outcomes);
    }

    [Fact]
    public void Query_ZeroColumnCount_Throws()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Eof);

        Assert.Throws<PacketFormatException>(() => scanner.Feed(Hex.Bytes("FC0000"), 3));
    }

    [Fact]
    public void Query_EmptyPacket_Throws()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Eof);
        scanner.Feed(Hex.Bytes("01"), 1);

        Assert.Throws<PacketFormatException>(() => scanner.Feed([], 0));
    }

    [Fact]
    public void Query_LocalInfile_NeedsClientDataThenCompletesAtOk()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, DeprecateEof);

        Assert.Equal(ScanOutcome.NeedClientData, scanner.Feed(Hex.Bytes("FB 782E637376"), 6));
        Assert.False(scanner.IsComplete);
        scanner.ClientDataSent();
        Assert.Equal(ScanOutcome.Complete, scanner.Feed(Hex.Bytes("00 02 00 0200 0000"), 7));
        Assert.Equal(2UL, scanner.AffectedRows);
        Assert.True(scanner.IsComplete);
    }

    [Fact]
    public void Query_LocalInfileRefused_CompletesAtErr()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, "FB 782E637376", Err);

        Assert.Equal([ScanOutcome.NeedClientData, ScanOutcome.Complete], outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void Query_LocalInfileInMultiStatement_ContinuesToTheNextResult()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Query, DeprecateEof,
            OkMore, "FB 782E637376", "00 02 00 0A00 0000", "01", Column, TextRow, OkTerminator);

        Assert.Equal(
            [ScanOutcome.Continue, ScanOutcome.NeedClientData, ScanOutcome.Continue, ScanOutcome.Continue, ScanOutcome.Continue,
             ScanOutcome.Continue, ScanOutcome.Complete],
            outcomes);
    }

    [Fact]
    public void Query_PacketDuringLocalInfileUpload_Throws()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Eof);
        scanner.Feed(Hex.Bytes("FB 782E637376"), 6);

        Assert.Throws<PacketFormatException>(() => scanner.Feed(Hex.Bytes(Ok), 7));
    }

    [Fact]
    public void ClientDataSent_NoLocalInfile_Throws()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Eof);

        Assert.Throws<PacketFormatException>(() => scanner.ClientDataSent());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StatementExecute_BinaryResultSet_CompletesAtTerminator(bool deprecateEof)
    {
        var scanner = default(ResponseScanner);
        string[] packets = deprecateEof
            ? ["01", Column, BinaryRow, BinaryRow, OkTerminator]
            : ["01", Column, ColumnsEof, BinaryRow, BinaryRow, EofAutocommit];

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementExecute, deprecateEof ? DeprecateEof : Eof, packets);

        Assert.Equal(ScannerDriver.CompleteAtLast(packets.Length), outcomes);
    }

    [Fact]
    public void StatementExecute_CursorOpened_CompletesAtTheColumnsEof()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementExecute, Eof, "02", Column, Column, EofCursor);

        Assert.Equal(ScannerDriver.CompleteAtLast(4), outcomes);
        Assert.Equal(ServerStatus.Autocommit | ServerStatus.CursorExists, scanner.LastStatus);
    }

    [Fact]
    public void StatementExecute_CursorOpenedDeprecateEof_CompletesAtTheOkAfterColumns()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementExecute, DeprecateEof, "01", Column, OkTerminatorCursor);

        Assert.Equal(ScannerDriver.CompleteAtLast(3), outcomes);
        Assert.Equal(ServerStatus.Autocommit | ServerStatus.CursorExists, scanner.LastStatus);
    }

    [Fact]
    public void StatementExecute_Ok_CompletesAtOnce()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementExecute, Eof, "00 05 07 0200 0000");

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.Equal(5UL, scanner.AffectedRows);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StatementFetch_RowsThenTerminator_Completes(bool deprecateEof)
    {
        var scanner = default(ResponseScanner);
        string terminator = deprecateEof ? "FE 00 00 8200 0000" : EofLastRow;

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementFetch, deprecateEof ? DeprecateEof : Eof,
            BinaryRow, BinaryRow, terminator);

        Assert.Equal(ScannerDriver.CompleteAtLast(3), outcomes);
        Assert.Equal(ServerStatus.Autocommit | ServerStatus.LastRowSent, scanner.LastStatus);
    }

    [Fact]
    public void StatementFetch_NoMoreRows_CompletesAtTerminator()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementFetch, Eof, EofLastRow);

        Assert.Equal([ScanOutcome.Complete], outcomes);
    }

    [Fact]
    public void StatementFetch_Err_CompletesWithError()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementFetch, Eof, Err);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.True(scanner.SawError);
    }

    [Theory]
    // statement 7; columns, parameters; with and without CLIENT_DEPRECATE_EOF.
    [InlineData(2, 2, false, 7)]
    [InlineData(2, 2, true, 5)]
    [InlineData(0, 1, false, 3)]
    [InlineData(0, 1, true, 2)]
    [InlineData(1, 0, false, 3)]
    [InlineData(1, 0, true, 2)]
    [InlineData(0, 0, false, 1)]
    [InlineData(0, 0, true, 1)]
    [InlineData(3, 300, false, 306)]
    [InlineData(3, 300, true, 304)]
    public void StatementPrepare_ParametersAndColumns_CompletesAfterTheLastDefinition(int columns, int parameters, bool deprecateEof, int expectedPackets)
    {
        var scanner = default(ResponseScanner);
        var packets = new List<string> { $"00 07000000 {columns:X2}00 {parameters & 0xFF:X2}{parameters >> 8:X2} 00 0000" };
        if (parameters > 0)
        {
            packets.AddRange(Enumerable.Repeat(Column, parameters));
            if (!deprecateEof)
            {
                packets.Add(EofAutocommit);
            }
        }

        if (columns > 0)
        {
            packets.AddRange(Enumerable.Repeat(Column, columns));
            if (!deprecateEof)
            {
                packets.Add(EofAutocommit);
            }
        }

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementPrepare, deprecateEof ? DeprecateEof : Eof, [.. packets]);

        Assert.Equal(expectedPackets, packets.Count);
        Assert.Equal(ScannerDriver.CompleteAtLast(expectedPackets), outcomes);
        Assert.Equal(7u, scanner.PreparedStatementId);
        Assert.False(scanner.SawError);
    }

    [Fact]
    public void StatementPrepare_Err_CompletesWithError()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementPrepare, Eof, Err);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void StatementPrepare_LargeStatementId_ReadsAllFourBytes()
    {
        var scanner = default(ResponseScanner);

        ScannerDriver.Run(ref scanner, CommandCode.StatementPrepare, Eof, "00 04030201 0000 0000 00 0000");

        Assert.Equal(0x01020304u, scanner.PreparedStatementId);
    }

    [Theory]
    [InlineData("00 07000000")]
    [InlineData("01 07000000 0000 0000 00 0000")]
    [InlineData(OkTerminator)]
    public void StatementPrepare_MalformedOk_Throws(string hex)
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.StatementPrepare, Eof);
        byte[] payload = Hex.Bytes(hex);

        Assert.Throws<PacketFormatException>(() => scanner.Feed(payload, payload.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FieldList_ColumnsThenTerminator_Completes(bool deprecateEof)
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.FieldList, deprecateEof ? DeprecateEof : Eof,
            Column, Column, Column, deprecateEof ? OkTerminator : EofAutocommit);

        Assert.Equal(ScannerDriver.CompleteAtLast(4), outcomes);
        Assert.Equal(ServerStatus.Autocommit, scanner.LastStatus);
    }

    [Fact]
    public void FieldList_Err_CompletesWithError()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.FieldList, Eof, Err);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void Statistics_String_CompletesAtOnce()
    {
        var scanner = default(ResponseScanner);
        byte[] text = "Uptime: 335  Threads: 11  Questions: 66971  Slow queries: 0  Opens: 33  Open tables: 27  Queries per second avg: 199.914"u8.ToArray();
        scanner.Start(CommandCode.Statistics, DeprecateEof);

        ScanOutcome outcome = scanner.Feed(text.AsSpan(0, ResponseScanner.PrefixSize), text.Length);

        Assert.Equal(ScanOutcome.Complete, outcome);
        Assert.True(scanner.IsComplete);
        Assert.False(scanner.SawError);
    }

    [Fact]
    public void Statistics_EmptyString_CompletesAtOnce()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Statistics, Eof);

        Assert.Equal(ScanOutcome.Complete, scanner.Feed([], 0));
        Assert.True(scanner.IsComplete);
    }

    [Theory]
    [InlineData(CommandCode.Ping)]
    [InlineData(CommandCode.InitDb)]
    [InlineData(CommandCode.ResetConnection)]
    [InlineData(CommandCode.StatementReset)]
    [InlineData(CommandCode.SetOption)]
    [InlineData(CommandCode.Refresh)]
    public void SinglePacketCommand_Ok_CompletesWithStatus(CommandCode command)
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, command, DeprecateEof, OkInTransaction);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit, scanner.LastStatus);
        Assert.False(scanner.SawError);
    }

    [Theory]
    [InlineData(CommandCode.Ping)]
    [InlineData(CommandCode.InitDb)]
    [InlineData(CommandCode.StatementReset)]
    public void SinglePacketCommand_Err_CompletesWithError(CommandCode command)
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, command, Eof, Err);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.True(scanner.SawError);
    }

    [Fact]
    public void SetOption_ClassicEof_CompletesWithItsStatus()
    {
        // MariaDB answers COM_SET_OPTION with an EOF packet when the client did not ask for CLIENT_DEPRECATE_EOF.
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.SetOption, Eof, "FE 0000 0300");

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit, scanner.LastStatus);
    }

    [Fact]
    public void ProcessInfo_ResultSet_CompletesAtTerminator()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.ProcessInfo, Eof, "01", Column, ColumnsEof, TextRow, EofAutocommit);

        Assert.Equal(ScannerDriver.CompleteAtLast(5), outcomes);
    }

    [Fact]
    public void StatementBulkExecute_Ok_CompletesAtOnce()
    {
        var scanner = default(ResponseScanner);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.StatementBulkExecute, DeprecateEof, "00 03 01 0200 0000");

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.Equal(3UL, scanner.AffectedRows);
    }

    [Theory]
    [InlineData(CommandCode.Quit, false)]
    [InlineData(CommandCode.StatementClose, false)]
    [InlineData(CommandCode.StatementSendLongData, false)]
    [InlineData(CommandCode.Query, true)]
    [InlineData(CommandCode.Ping, true)]
    [InlineData(CommandCode.InitDb, true)]
    [InlineData(CommandCode.StatementPrepare, true)]
    [InlineData(CommandCode.StatementExecute, true)]
    [InlineData(CommandCode.StatementFetch, true)]
    [InlineData(CommandCode.StatementReset, true)]
    [InlineData(CommandCode.FieldList, true)]
    [InlineData(CommandCode.Statistics, true)]
    [InlineData(CommandCode.ResetConnection, true)]
    [InlineData(CommandCode.ChangeUser, true)]
    public void HasResponse_Command_TellsWhetherTheServerAnswers(CommandCode command, bool answered) =>
        Assert.Equal(answered, ResponseScanner.HasResponse(command));

    [Theory]
    [InlineData(CommandCode.Quit)]
    [InlineData(CommandCode.StatementClose)]
    [InlineData(CommandCode.StatementSendLongData)]
    public void Start_CommandWithoutResponse_IsCompleteAndRefusesPackets(CommandCode command)
    {
        var scanner = default(ResponseScanner);
        scanner.Start(command, Eof);

        Assert.True(scanner.IsComplete);
        Assert.Throws<PacketFormatException>(() => scanner.Feed(Hex.Bytes(Ok), 7));
    }

    [Fact]
    public void Feed_AfterComplete_Throws()
    {
        var scanner = default(ResponseScanner);
        ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, Ok);

        Assert.Throws<PacketFormatException>(() => scanner.Feed(Hex.Bytes(Ok), 7));
    }

    [Fact]
    public void Start_AfterAnError_ClearsSawError()
    {
        var scanner = default(ResponseScanner);
        ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, Err);

        ScanOutcome[] outcomes = ScannerDriver.Run(ref scanner, CommandCode.Ping, Eof, Ok);

        Assert.Equal([ScanOutcome.Complete], outcomes);
        Assert.False(scanner.SawError);
    }

    [Fact]
    public void Start_SameScannerManyCommands_FollowsEach()
    {
        var scanner = default(ResponseScanner);

        Assert.Equal(ScannerDriver.CompleteAtLast(5), ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, "01", Column, ColumnsEof, TextRow, EofAutocommit));
        Assert.Equal(ScannerDriver.CompleteAtLast(3), ScannerDriver.Run(ref scanner, CommandCode.StatementPrepare, DeprecateEof, "00 09000000 0100 0100 00 0000", Column, Column));
        Assert.Equal(9u, scanner.PreparedStatementId);
        Assert.Equal(ScannerDriver.CompleteAtLast(4), ScannerDriver.Run(ref scanner, CommandCode.StatementExecute, DeprecateEof, "01", Column, BinaryRow, OkTerminator));
        Assert.Equal(ScannerDriver.CompleteAtLast(1), ScannerDriver.Run(ref scanner, CommandCode.Query, Eof, OkInTransaction));
        Assert.Equal(ServerStatus.InTransaction | ServerStatus.Autocommit, scanner.LastStatus);
    }
}
