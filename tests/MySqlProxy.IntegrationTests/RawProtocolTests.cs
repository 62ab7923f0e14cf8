using System.Buffers.Binary;
using System.Net;
using System.Text;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Protocol;

namespace MySqlProxy.IntegrationTests;

/// <summary>
/// Commands MySqlConnector never sends, from a raw client, byte for byte the same answers as directly:
/// cursors (COM_STMT_FETCH), COM_STMT_SEND_LONG_DATA / RESET, COM_SET_OPTION, COM_FIELD_LIST, COM_STATISTICS,
/// COM_PROCESS_KILL, COM_INIT_DB, unknown commands, and commands exactly at the 16 MiB split boundary.
/// </summary>
public sealed class RawProtocolTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IPEndPoint ProxyEndPoint => new(IPAddress.Loopback, fixture.Proxy.Port);

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cursor_FetchInChunks_SameAsDirect(bool deprecateEof)
    {
        List<string> proxy = await BothAsync(deprecateEof, async client =>
        {
            var log = new List<string>();
            (uint id, int columns, int parameters, RawError? error) = await client.PrepareAsync("SELECT seq, CONCAT('row ', seq) FROM seq_1_to_10", Ct);
            Assert.Null(error);
            log.Add($"prepared {columns} columns {parameters} parameters");

            byte[] execute = new byte[9];
            BinaryPrimitives.WriteUInt32LittleEndian(execute, id);
            execute[4] = 1; // CURSOR_TYPE_READ_ONLY
            BinaryPrimitives.WriteUInt32LittleEndian(execute.AsSpan(5), 1);
            await client.SendCommandAsync(CommandCode.StatementExecute, execute, Ct);
            (List<RawResultSet> opened, RawError? openError) = await client.ReadResultsAsync(Ct);
            Assert.Null(openError);
            log.Add($"opened: {opened.Count} result, {opened[0].Rows.Count} rows, cursor {(opened[0].Status & ServerStatus.CursorExists) != 0}");

            for (int fetch = 0; fetch < 10; fetch++)
            {
                byte[] arguments = new byte[8];
                BinaryPrimitives.WriteUInt32LittleEndian(arguments, id);
                BinaryPrimitives.WriteUInt32LittleEndian(arguments.AsSpan(4), 3);
                await client.SendCommandAsync(CommandCode.StatementFetch, arguments, Ct);
                var rows = new List<byte[]>();
                (ServerStatus status, RawError? fetchError) = await client.ReadRowsAsync(rows, Ct);
                Assert.Null(fetchError);
                log.Add($"fetch {fetch}: {string.Join(" ", rows.Select(Convert.ToHexString))} last={(status & ServerStatus.LastRowSent) != 0}");
                if ((status & ServerStatus.LastRowSent) != 0)
                {
                    break;
                }
            }

            byte[] close = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(close, id);
            await client.SendCommandAsync(CommandCode.StatementClose, close, Ct);
            log.Add("after " + await ScalarAsync(client, "SELECT 'in step'"));
            return log;
        });
        Assert.Contains("opened: 1 result, 0 rows, cursor True", proxy);
        Assert.Contains("after in step", proxy);
        Assert.Contains(proxy, line => line.StartsWith("fetch 3:", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task SendLongData_ThenExecuteAndReset_SameAsDirect()
    {
        await BothAsync(false, async client =>
        {
            var log = new List<string>();
            (uint id, _, int parameters, RawError? error) = await client.PrepareAsync("SELECT LENGTH(?), MD5(?)", Ct);
            Assert.Null(error);
            Assert.Equal(2, parameters);
            for (ushort parameter = 0; parameter < 2; parameter++)
            {
                for (int chunk = 0; chunk < 5; chunk++)
                {
                    byte[] data = Encoding.ASCII.GetBytes(new string((char)('a' + chunk), 100_000));
                    byte[] arguments = new byte[6 + data.Length];
                    BinaryPrimitives.WriteUInt32LittleEndian(arguments, id);
                    BinaryPrimitives.WriteUInt16LittleEndian(arguments.AsSpan(4), parameter);
                    data.CopyTo(arguments, 6);
                    await client.SendCommandAsync(CommandCode.StatementSendLongData, arguments, Ct);
                }
            }

            log.Add("execute " + await ExecuteBlobParametersAsync(client, id));
            byte[] reset = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(reset, id);
            log.Add("reset " + Convert.ToHexString(await client.CommandAsync(CommandCode.StatementReset, reset, Ct)));
            log.Add("after " + await ScalarAsync(client, "SELECT 'in step'"));
            return log;
        });
    }

    [Fact(Timeout = 60_000)]
    public async Task PreparedCall_WithOutParameters_SameAsDirect()
    {
        // Binary protocol CALL: the procedure's result sets, then the OUT parameters as a result set flagged
        // SERVER_PS_OUT_PARAMS, then the closing OK.
        string procedure = Db.UniqueName("raw_call");
        await Db.AdminAsync(
            $"CREATE PROCEDURE app.`{procedure}`(IN p_in INT, OUT p_out VARCHAR(20)) " +
            "BEGIN SELECT p_in, 'one'; SELECT seq FROM seq_1_to_3; SET p_out = CONCAT('out ', p_in); END", Ct);
        try
        {
            List<string> proxy = await BothAsync(false, async client =>
            {
                (uint id, _, int parameters, RawError? error) = await client.PrepareAsync($"CALL `{procedure}`(?, ?)", Ct);
                Assert.Null(error);
                Assert.Equal(2, parameters);
                var log = new List<string>();
                for (int round = 0; round < 2; round++)
                {
                    byte[] execute = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0b10, 1, 0x03, 0, 0x06, 0, 0, 0, 0, 0];
                    BinaryPrimitives.WriteUInt32LittleEndian(execute, id);
                    BinaryPrimitives.WriteInt32LittleEndian(execute.AsSpan(15), 7 + round);
                    await client.SendCommandAsync(CommandCode.StatementExecute, execute, Ct);
                    (List<RawResultSet> results, RawError? executeError) = await client.ReadResultsAsync(Ct);
                    Assert.Null(executeError);
                    log.AddRange(results.Select(r =>
                        $"[{string.Join(",", r.Columns)}] {string.Join(" ", r.Rows.Select(Convert.ToHexString))} out={(r.Status & ServerStatus.PsOutParams) != 0}"));
                }

                log.Add("after " + await ScalarAsync(client, "SELECT 'in step'"));
                return log;
            });
            Assert.Contains(proxy, line => line.StartsWith("[p_out]", StringComparison.Ordinal) && line.EndsWith("out=True", StringComparison.Ordinal));
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP PROCEDURE IF EXISTS app.`{procedure}`", cleanup.Token);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task StatementBulkExecute_InsertsEveryRow_SameAsDirect()
    {
        // MariaDB's COM_STMT_BULK_EXECUTE (Connector/J batches): one command, many parameter rows, one OK.
        await using var direct = await TestTable.CreateAsync("bulk_d", "id BIGINT PRIMARY KEY, name VARCHAR(50) NULL", Ct);
        await using var proxied = await TestTable.CreateAsync("bulk_p", "id BIGINT PRIMARY KEY, name VARCHAR(50) NULL", Ct);

        async Task<List<string>> RunAsync(IPEndPoint endpoint, string table)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct, extra: Capabilities.MariaDbStmtBulkOperations);
            Assert.NotEqual(Capabilities.None, client.Capabilities & Capabilities.MariaDbStmtBulkOperations);
            (uint id, _, int parameters, RawError? error) = await client.PrepareAsync($"INSERT INTO `{table}` (id, name) VALUES (?, ?)", Ct);
            Assert.Null(error);
            Assert.Equal(2, parameters);
            using var payload = new PayloadWriter();
            payload.Write(id).Write((ushort)128) // STMT_BULK_FLAG_SEND_TYPES_TO_SERVER
                .Write((ushort)0x08).Write((ushort)0xFE); // LONGLONG, STRING
            for (long row = 1; row <= 1000; row++)
            {
                payload.Write((byte)0).Write((ulong)row);
                if (row % 10 == 0)
                {
                    payload.Write((byte)1); // STMT_INDICATOR_NULL
                }
                else
                {
                    payload.Write((byte)0).WriteLengthEncodedString($"bulk row {row} ✓");
                }
            }

            byte[] answer = await client.CommandAsync(CommandCode.StatementBulkExecute, payload.Payload.ToArray(), Ct);
            (List<RawResultSet> results, RawError? selectError) = await client.QueryAsync(
                $"SELECT COUNT(*), COUNT(name), SUM(id), MD5(GROUP_CONCAT(CONCAT(id, name) ORDER BY id)) FROM `{table}`", Ct);
            Assert.Null(selectError);
            return [Describe(answer), string.Join(" ", RawClient.TextValues(results[0].Rows[0]))];
        }

        List<string> directLog = await RunAsync(Topology.Primary, direct.Name);
        List<string> proxyLog = await RunAsync(ProxyEndPoint, proxied.Name);
        Assert.Equal(directLog, proxyLog);
        Assert.StartsWith("00FCE803", proxyLog[0], StringComparison.Ordinal); // OK, 1000 affected rows
        Assert.StartsWith("1000 900 500500 ", proxyLog[1], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task LocalInfileInsideMultiStatement_ThenMoreResults_SameAsDirect()
    {
        // The server asks for the file (0xFB), the client streams it and ends with an empty packet, the server
        // answers OK with SERVER_MORE_RESULTS_EXISTS, and the next statement's result set follows.
        await using var direct = await TestTable.CreateAsync("raw_load_d", "id INT PRIMARY KEY, name VARCHAR(50)", Ct);
        await using var proxied = await TestTable.CreateAsync("raw_load_p", "id INT PRIMARY KEY, name VARCHAR(50)", Ct);

        async Task<List<string>> RunAsync(IPEndPoint endpoint, string table)
        {
            await using var client = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct, extra: Capabilities.LocalFiles);
            await client.SendCommandAsync(CommandCode.Query, Encoding.UTF8.GetBytes(
                $"SELECT 'before'; LOAD DATA LOCAL INFILE 'client-side.tsv' INTO TABLE `{table}`; SELECT COUNT(*), MAX(name) FROM `{table}`"), Ct);
            var log = new List<string>();
            (List<RawResultSet> first, RawError? error) = await client.ReadResultsAsync(Ct);
            Assert.Null(error);
            log.Add($"first: {RawClient.TextValues(first[0].Rows[0])[0]} more={(first[^1].Status & ServerStatus.MoreResultsExist) != 0}");

            Assert.NotNull(client.LocalInfileRequest);
            (byte sequence, byte[] request) = client.LocalInfileRequest.Value;
            log.Add($"request: {Convert.ToHexString(request[..1])} {Encoding.UTF8.GetString(request, 1, request.Length - 1)}");
            var file = new StringBuilder();
            for (int i = 1; i <= 20_000; i++)
            {
                file.Append(i).Append('\t').Append("loaded row ").Append(i).Append('\n');
            }

            // Sent in packets of 64 KiB and the empty packet that ends the file.
            byte[] data = Encoding.UTF8.GetBytes(file.ToString());
            for (int offset = 0; offset < data.Length; offset += 65536)
            {
                byte[] chunk = data[offset..Math.Min(data.Length, offset + 65536)];
                await client.WriteAsync(chunk, ++sequence, Ct);
            }

            await client.WriteAsync([], ++sequence, Ct);
            (List<RawResultSet> rest, RawError? restError) = await client.ReadResultsAsync(Ct);
            Assert.Null(restError);
            log.AddRange(rest.Select(r => $"{r.Columns.Count} columns: {string.Join(" ", r.Rows.Select(row => string.Join(",", RawClient.TextValues(row))))}"));
            log.Add("after " + await ScalarAsync(client, "SELECT 'in step'"));
            return Db.WithoutName(log, table);
        }

        List<string> directLog = await RunAsync(Topology.Primary, direct.Name);
        List<string> proxyLog = await RunAsync(ProxyEndPoint, proxied.Name);
        Assert.Equal(directLog, proxyLog);
        Assert.Equal("request: FB client-side.tsv", proxyLog[1]);
        Assert.Contains("2 columns: 20000,loaded row 9999", proxyLog);
    }

    [Fact(Timeout = 60_000)]
    public async Task PipelinedCommands_AnsweredInOrder_SameAsDirect()
    {
        // Several commands written at once, before any answer is read (MySqlConnector pipelines a reset this way).
        await BothAsync(false, async client =>
        {
            using var pipelined = new MemoryStream();
            for (int i = 0; i < 50; i++)
            {
                byte[] sql = Encoding.UTF8.GetBytes(i % 10 == 9 ? "SELECT * FROM no_such_table_42" : $"SELECT {i}, REPEAT('p', {i * 100})");
                byte[] header = new byte[PacketHeader.Size];
                PacketHeader.Write(header, sql.Length + 1, 0);
                pipelined.Write(header);
                pipelined.WriteByte((byte)CommandCode.Query);
                pipelined.Write(sql);
            }

            await client.WriteRawAsync(pipelined.ToArray(), Ct);
            var log = new List<string>();
            for (int i = 0; i < 50; i++)
            {
                (List<RawResultSet> results, RawError? error) = await client.ReadResultsAsync(Ct);
                log.Add(error?.ToString() ?? RawClient.TextValues(results[0].Rows[0])[0]!);
            }

            log.Add("after " + await ScalarAsync(client, "SELECT 'in step'"));
            return log;
        });
    }

    [Fact(Timeout = 60_000)]
    public async Task Greeting_SameVersionCharsetAndStatusAsDirect_CapabilitiesOnlyLessTlsAndCompression()
    {
        await using var direct = await RawClient.ConnectAsync(Topology.Primary, "app", "app", "app", Ct);
        await using var proxy = await RawClient.ConnectAsync(ProxyEndPoint, "app", "app", "app", Ct);
        Assert.Equal(direct.Greeting.ServerVersion, proxy.Greeting.ServerVersion);
        Assert.Equal(direct.Greeting.CharacterSet, proxy.Greeting.CharacterSet);
        Assert.Equal(direct.Greeting.Status, proxy.Greeting.Status);
        Assert.Equal(direct.Greeting.AuthPluginName, proxy.Greeting.AuthPluginName);
        Assert.Equal(20, proxy.Greeting.AuthPluginData.Length);

        // What the proxy does not offer (yet): TLS, compression, and what it cannot relay faithfully.
        Capabilities missing = direct.Greeting.Capabilities & ~proxy.Greeting.Capabilities;
        Assert.Equal(Capabilities.None, proxy.Greeting.Capabilities & ~direct.Greeting.Capabilities);
        Assert.Equal(Capabilities.None, missing & (Capabilities.Protocol41 | Capabilities.SecureConnection | Capabilities.PluginAuth |
            Capabilities.PluginAuthLenencClientData | Capabilities.MultiStatements | Capabilities.MultiResults | Capabilities.PsMultiResults |
            Capabilities.LocalFiles | Capabilities.SessionTrack | Capabilities.DeprecateEof | Capabilities.ConnectAttrs | Capabilities.ConnectWithDb |
            Capabilities.MariaDbStmtBulkOperations | Capabilities.MariaDbExtendedMetadata | Capabilities.Transactions));
    }

    [Fact(Timeout = 60_000)]
    public async Task SetOption_MultiStatementsOffAndOn_SameAsDirect()
    {
        List<string> proxy = await BothAsync(false, async client =>
        {
            var log = new List<string>();
            byte[] off = [1, 0];
            log.Add("off " + Convert.ToHexString(await client.CommandAsync(CommandCode.SetOption, off, Ct)));
            (List<RawResultSet> results, RawError? error) = await client.QueryAsync("SELECT 1; SELECT 2", Ct);
            log.Add($"multi while off: {results.Count} {error}");
            byte[] on = [0, 0];
            log.Add("on " + Convert.ToHexString(await client.CommandAsync(CommandCode.SetOption, on, Ct)));
            (results, error) = await client.QueryAsync("SELECT 1; SELECT 2", Ct);
            log.Add($"multi while on: {results.Count} {error}");
            return log;
        });
        Assert.Contains(proxy, line => line.StartsWith("multi while off: 0 ERROR 1064", StringComparison.Ordinal));
        Assert.Contains("multi while on: 2 ", proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task FieldList_SameAsDirect()
    {
        await using var table = await TestTable.CreateAsync("raw_fields", "id INT PRIMARY KEY, name VARCHAR(20) DEFAULT 'x', amount DECIMAL(10,2)", Ct);
        List<string> proxy = await BothAsync(false, async client =>
        {
            var log = new List<string>();
            foreach (string wildcard in new[] { string.Empty, "na%" })
            {
                await client.SendCommandAsync(CommandCode.FieldList, Encoding.UTF8.GetBytes(table.Name + "\0" + wildcard), Ct);
                while (true)
                {
                    byte[] packet = (await client.ReadPayloadAsync(Ct)).Payload;
                    log.Add(Convert.ToHexString(packet));
                    if (packet[0] is 0xFE or 0xFF)
                    {
                        break;
                    }
                }
            }

            await client.SendCommandAsync(CommandCode.FieldList, Encoding.UTF8.GetBytes("no_such_table_42\0"), Ct);
            log.Add(RawError.Read((await client.ReadPayloadAsync(Ct)).Payload).ToString());
            log.Add("after " + await ScalarAsync(client, "SELECT 'in step'"));
            return log;
        });
        Assert.Contains("ERROR 1146 (42S02): Table 'app.no_such_table_42' doesn't exist", proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task StatisticsPingInitDb_SameAsDirect()
    {
        await BothAsync(false, async client =>
        {
            var log = new List<string>();
            string statistics = Encoding.UTF8.GetString(await client.CommandAsync(CommandCode.Statistics, ReadOnlyMemory<byte>.Empty, Ct));
            log.Add("statistics starts with Uptime: " + statistics.StartsWith("Uptime: ", StringComparison.Ordinal));
            log.Add("ping " + Convert.ToHexString(await client.CommandAsync(CommandCode.Ping, ReadOnlyMemory<byte>.Empty, Ct)));
            log.Add("init_db " + Convert.ToHexString(await client.CommandAsync(CommandCode.InitDb, Encoding.UTF8.GetBytes("information_schema"), Ct)));
            log.Add("db " + await ScalarAsync(client, "SELECT DATABASE()"));
            log.Add("bad init_db " + Describe(await client.CommandAsync(CommandCode.InitDb, Encoding.UTF8.GetBytes("no_such_db_42"), Ct)));
            log.Add("mysql init_db " + Describe(await client.CommandAsync(CommandCode.InitDb, Encoding.UTF8.GetBytes("mysql"), Ct)));
            log.Add("db " + await ScalarAsync(client, "SELECT DATABASE()"));
            return log;
        });
    }

    [Theory(Timeout = 60_000)]
    [InlineData((byte)0x00)]
    [InlineData((byte)0x0D)]
    [InlineData((byte)0x20)]
    [InlineData((byte)0x99)]
    [InlineData((byte)0xFF)]
    public async Task UnknownOrRefusedCommand_GetsSameErrorAndSessionStaysUsable(byte command)
    {
        List<string> proxy = await BothAsync(false, async client =>
        {
            byte[] answer = await client.CommandAsync((CommandCode)command, new byte[] { 1, 2, 3 }, Ct);
            return [Describe(answer), "after " + await ScalarAsync(client, "SELECT 'in step'")];
        });
        Assert.Equal("after in step", proxy[1]);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(PacketHeader.MaxPayloadLength)]
    [InlineData(2 * PacketHeader.MaxPayloadLength)]
    public async Task QueryOfExactlySplitLength_EndsWithEmptyPacket_SameAsDirect(int payloadLength)
    {
        // A payload of an exact multiple of 2^24-1 bytes is followed by an empty packet that ends it.
        const string Head = "SELECT LENGTH('";
        const string Tail = "')";
        string sql = Head + new string('q', payloadLength - 1 - Head.Length - Tail.Length) + Tail;
        List<string> proxy = await BothAsync(false, async client =>
            [await ScalarAsync(client, sql) ?? "NULL", await ScalarAsync(client, "SELECT 'in step'") ?? "NULL"]);
        Assert.Equal([(payloadLength - 1 - Head.Length - Tail.Length).ToString(System.Globalization.CultureInfo.InvariantCulture), "in step"], proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessKill_OfIdleConnection_EndsIt_SameAsDirect()
    {
        async Task<List<string>> RunAsync(IPEndPoint endpoint)
        {
            await using var victim = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            await using var killer = await RawClient.ConnectAsync(endpoint, "app", "app", "app", Ct);
            byte[] id = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(id, victim.ConnectionId);
            byte[] answer = await killer.CommandAsync(CommandCode.ProcessKill, id, Ct);
            var log = new List<string> { "kill " + (answer[0] == 0xFF ? RawError.Read(answer).ToString() : "OK") };

            // The victim learns it at its next command: an ERR, or the connection simply closed.
            string outcome;
            try
            {
                (_, RawError? error) = await victim.QueryAsync("SELECT 1", Ct);
                outcome = error?.ToString() ?? "answered";
            }
            catch (Exception ex) when (ex is IOException or EndOfStreamException)
            {
                outcome = "closed";
            }

            log.Add("victim " + outcome);
            BinaryPrimitives.WriteUInt32LittleEndian(id, 3_999_999_999);
            log.Add("unknown " + RawError.Read(await killer.CommandAsync(CommandCode.ProcessKill, id, Ct)));
            return log;
        }

        List<string> direct = await RunAsync(Topology.Primary);
        List<string> proxy = await RunAsync(ProxyEndPoint);
        Assert.Equal(direct, proxy);
        Assert.Equal("kill OK", proxy[0]);
        Assert.Equal("unknown ERROR 1094 (HY000): Unknown thread id: 3999999999", proxy[2]);
    }

    /// <summary>Runs <paramref name="run"/> on a raw client logged in as app directly and through the proxy; asserts equal logs.</summary>
    private async Task<List<string>> BothAsync(bool deprecateEof, Func<RawClient, Task<List<string>>> run)
    {
        List<string> direct;
        await using (var client = await RawClient.ConnectAsync(Topology.Primary, "app", "app", "app", Ct, deprecateEof))
        {
            direct = await run(client);
        }

        List<string> proxy;
        await using (var client = await RawClient.ConnectAsync(ProxyEndPoint, "app", "app", "app", Ct, deprecateEof))
        {
            proxy = await run(client);
        }

        Assert.Equal(direct, proxy);
        return proxy;
    }

    private static async Task<string> ExecuteBlobParametersAsync(RawClient client, uint id)
    {
        // No values follow: both parameters were sent with COM_STMT_SEND_LONG_DATA.
        byte[] execute = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0xFC, 0, 0xFC, 0];
        BinaryPrimitives.WriteUInt32LittleEndian(execute, id);
        await client.SendCommandAsync(CommandCode.StatementExecute, execute, Ct);
        (List<RawResultSet> results, RawError? error) = await client.ReadResultsAsync(Ct);
        return error?.ToString() ?? string.Join(" ", results[0].Rows.Select(Convert.ToHexString));
    }

    private static string Describe(byte[] answer) => answer.Length > 0 && answer[0] == 0xFF ? RawError.Read(answer).ToString() : Convert.ToHexString(answer);

    private static async Task<string?> ScalarAsync(RawClient client, string sql)
    {
        (List<RawResultSet> results, RawError? error) = await client.QueryAsync(sql, Ct);
        if (error is not null)
        {
            throw new RawErrorException(error);
        }

        return RawClient.TextValues(results[0].Rows[0])[0];
    }
}
