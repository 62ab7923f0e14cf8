using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>
/// Server-side prepared statements (COM_STMT_PREPARE / EXECUTE / CLOSE, binary protocol): MySqlConnector
/// really prepares them under IgnorePrepare=false.
/// </summary>
public sealed class PreparedStatementTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One parameter of every CLR type MySqlConnector sends, with edge values.</summary>
    public static TheoryData<string, object?> Parameters() => new()
    {
        { "sbyte", (sbyte)-128 },
        { "byte", (byte)255 },
        { "short", (short)-32768 },
        { "ushort", (ushort)65535 },
        { "int", int.MinValue },
        { "uint", uint.MaxValue },
        { "long", long.MinValue },
        { "ulong", ulong.MaxValue },
        { "float", 3.5f },
        { "double", Math.PI },
        { "double-small", double.Epsilon },
        { "decimal", 1234567.891m },
        { "decimal-negative", -0.000001m },
        { "decimal-large", 79228162514264337593543950335m },
        { "string", "text ü 😀 'quoted' \"double\" \\ back" },
        { "string-empty", string.Empty },
        { "string-long", new string('z', 300_000) },
        { "bytes", new byte[] { 0, 1, 2, 0x27, 0x5C, 0xFF } },
        { "bytes-empty", Array.Empty<byte>() },
        { "datetime", new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Unspecified).AddTicks(1_234_560) },
        { "datetime-min", new DateTime(1000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified) },
        { "datetime-max", new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Unspecified).AddTicks(9_999_990) },
        { "dateonly", new DateOnly(2024, 1, 31) },
        { "timeonly", new TimeOnly(23, 59, 59, 999) },
        { "timespan", new TimeSpan(-1, -2, -3, -4, -500) },
        { "timespan-max", new TimeSpan(34, 22, 59, 59) },
        { "bool-true", true },
        { "bool-false", false },
        { "guid", new Guid("6f9619ff-8b86-d011-b42d-00c04fc964ff") },
        { "null", null },
        { "dbnull", DBNull.Value },
        { "enum", DayOfWeek.Friday },
        { "char", 'x' },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Parameters))]
    public async Task SelectParameter_Prepared_SameAsDirect(string name, object? value)
    {
        Assert.NotNull(name);
        await Db.AssertSameAsync(fixture, "SELECT @p AS value, @p IS NULL AS is_null", prepare: true, Ct, ("@p", value));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Parameters))]
    public async Task SelectParameter_Text_SameAsDirect(string name, object? value)
    {
        Assert.NotNull(name);
        await Db.AssertSameAsync(fixture, "SELECT @p AS value, @p IS NULL AS is_null", prepare: false, Ct, ("@p", value));
    }

    [Fact(Timeout = 60_000)]
    public async Task SelectAllParameters_OnePreparedStatement_SameAsDirect()
    {
        var parameters = new List<(string, object?)>();
        var names = new List<string>();
        int i = 0;
        foreach (var row in Parameters())
        {
            parameters.Add(($"@p{i}", row.Data.Item2));
            names.Add($"@p{i}");
            i++;
        }

        await Db.AssertSameAsync(fixture, $"SELECT {string.Join(", ", names)}", prepare: true, Ct, [.. parameters]);
    }

    [Fact(Timeout = 60_000)]
    public async Task InsertTypedParameters_ReadBackBothProtocols_SameAsDirect()
    {
        const string Columns =
            "id INT PRIMARY KEY, i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, u16 SMALLINT UNSIGNED, i32 INT, u32 INT UNSIGNED, " +
            "i64 BIGINT, u64 BIGINT UNSIGNED, f FLOAT, d DOUBLE, m DECIMAL(20,6), s VARCHAR(100), b VARBINARY(100), " +
            "dt DATETIME(6), da DATE, t TIME(6), flag BOOL, g CHAR(36), u UUID, blobby BLOB, texty TEXT";
        await using var direct = await TestTable.CreateAsync("ps_ins_d", Columns, Ct);
        await using var proxied = await TestTable.CreateAsync("ps_ins_p", Columns, Ct);

        async Task<List<string>> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString + Db.Prepared, Ct);
            await using (var insert = new MySqlCommand(
                $"INSERT INTO `{table}` VALUES (@id, @i8, @u8, @i16, @u16, @i32, @u32, @i64, @u64, @f, @d, @m, @s, @b, @dt, @da, @t, @flag, @g, @u, @blobby, @texty)",
                connection))
            {
                string[] names = ["@id", "@i8", "@u8", "@i16", "@u16", "@i32", "@u32", "@i64", "@u64", "@f", "@d", "@m", "@s", "@b", "@dt", "@da", "@t", "@flag", "@g", "@u", "@blobby", "@texty"];
                foreach (string name in names)
                {
                    insert.Parameters.Add(new MySqlParameter { ParameterName = name });
                }

                await insert.PrepareAsync(Ct);
                for (int row = 0; row < 50; row++)
                {
                    bool nulls = row % 10 == 9;
                    object?[] values =
                    [
                        row, (sbyte)(row - 25), (byte)(row * 5), (short)(row * -600), (ushort)(row * 1300), row * -40_000_000, (uint)row * 80_000_000u,
                        row * -180_000_000_000_000_000L, (ulong)row * 360_000_000_000_000_000UL, row / 3f, row / 7d, row * 1234.567891m,
                        $"row {row} ✓", new byte[] { (byte)row, 0, 0xFF }, new DateTime(2000 + row, 1 + (row % 12), 1 + (row % 28), row % 24, row % 60, row % 60).AddTicks(row * 10),
                        new DateOnly(1970 + row, 12, 31), new TimeSpan(0, row % 24, row, row, row), row % 2 == 0, Guid.NewGuid().ToString(), new Guid(row, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
                        new byte[row * 100], new string('t', row * 100),
                    ];
                    for (int i = 0; i < names.Length; i++)
                    {
                        insert.Parameters[i].Value = nulls && i > 0 ? DBNull.Value : values[i];
                    }

                    if (names[18] == "@g")
                    {
                        // Random GUID strings would differ between the two tables; use a fixed one per row.
                        insert.Parameters[18].Value = nulls ? DBNull.Value : new Guid(row, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9).ToString();
                    }

                    Assert.Equal(1, await insert.ExecuteNonQueryAsync(Ct));
                }
            }

            var lines = new List<string>();
            foreach (bool prepare in new[] { false, true })
            {
                lines.AddRange(await Db.QueryAsync(connection, $"SELECT * FROM `{table}` WHERE id >= @min ORDER BY id", prepare, Ct, ("@min", 0)));
            }

            return Db.WithoutName(lines, table);
        }

        List<string> directLines = await RunAsync(Topology.Direct(), direct.Name);
        List<string> proxyLines = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directLines, proxyLines);
    }

    [Fact(Timeout = 60_000)]
    public async Task OneStatement_ExecutedManyTimes_ReturnsEachValue()
    {
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(extra: Db.Prepared), Ct);
        await using var command = new MySqlCommand("SELECT @a + @b, CONCAT(@s, '!')", connection);
        command.Parameters.Add("@a", MySqlDbType.Int32);
        command.Parameters.Add("@b", MySqlDbType.Int64);
        command.Parameters.Add("@s", MySqlDbType.VarChar);
        await command.PrepareAsync(Ct);
        Assert.True(command.IsPrepared);
        for (int i = 0; i < 500; i++)
        {
            command.Parameters[0].Value = i;
            command.Parameters[1].Value = i * 1000L;
            command.Parameters[2].Value = $"v{i}";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.Equal(i * 1001L, reader.GetInt64(0));
            Assert.Equal($"v{i}!", reader.GetString(1));
            Assert.False(await reader.ReadAsync(Ct));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyStatements_InterleavedAndClosed_EachKeepsItsOwnId()
    {
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(extra: Db.Prepared), Ct);
        var commands = new List<MySqlCommand>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var command = new MySqlCommand($"SELECT @x * {i + 1}", connection);
                command.Parameters.AddWithValue("@x", 0);
                await command.PrepareAsync(Ct);
                commands.Add(command);
            }

            for (int round = 0; round < 5; round++)
            {
                for (int i = commands.Count - 1; i >= 0; i--)
                {
                    commands[i].Parameters[0].Value = round;
                    Assert.Equal((long)round * (i + 1), Convert.ToInt64(await commands[i].ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            // Closing statements (COM_STMT_CLOSE has no answer) leaves the connection in step.
            for (int i = 0; i < commands.Count; i += 2)
            {
                await commands[i].DisposeAsync();
            }

            commands[1].Parameters[0].Value = 7;
            Assert.Equal(14L, Convert.ToInt64(await commands[1].ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(1L, Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT 1", Ct), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            foreach (var command in commands)
            {
                await command.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task PreparedStatementCounters_OnServer_SameAsDirect()
    {
        // The proxy must neither leak statements on the backend nor prepare them twice. Counters are per server
        // connection, and the proxy shares its connections between sessions, so only what this session adds
        // counts, measured inside a transaction (which keeps the session on one connection).
        (string direct, string proxy) = await Db.BothAsync(fixture, Db.Prepared, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            Dictionary<string, long> before = await CountersAsync(connection, transaction);
            for (int i = 0; i < 3; i++)
            {
                await using var command = new MySqlCommand($"SELECT {i} + @x", connection, transaction);
                command.Parameters.AddWithValue("@x", i);
                await command.PrepareAsync(Ct);
                await command.ExecuteScalarAsync(Ct);
                await command.ExecuteScalarAsync(Ct);
            }

            Dictionary<string, long> after = await CountersAsync(connection, transaction);
            await transaction.CommitAsync(Ct);
            return string.Join(", ", after.Select(kv => $"{kv.Key}+{kv.Value - before[kv.Key]}"));
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("Com_stmt_close+0, Com_stmt_execute+6, Com_stmt_prepare+3", proxy);
    }

    private static async Task<Dictionary<string, long>> CountersAsync(MySqlConnection connection, MySqlTransaction transaction)
    {
        var counters = new Dictionary<string, long>();
        await using var status = new MySqlCommand("SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_execute', 'Com_stmt_close')", connection, transaction);
        await using var reader = await status.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            counters[reader.GetString(0)] = long.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counters;
    }
}
