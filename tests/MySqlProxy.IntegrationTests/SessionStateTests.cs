using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>State a session builds up (schema, character set, time zone, variables) holds for the life of one connection.</summary>
public sealed class SessionStateTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task UseAndChangeDatabase_SameAsDirect()
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string> { $"{connection.Database} {await Db.ScalarAsync(connection, "SELECT DATABASE()", Ct)}" };
            await Db.ExecuteAsync(connection, "USE information_schema", Ct);
            log.Add($"{connection.Database} {await Db.ScalarAsync(connection, "SELECT DATABASE()", Ct)} {await Db.ScalarAsync(connection, "SELECT COUNT(*) > 0 FROM TABLES", Ct)}");
            await connection.ChangeDatabaseAsync("app", Ct);
            log.Add($"{connection.Database} {await Db.ScalarAsync(connection, "SELECT DATABASE()", Ct)}");
            var error = await Assert.ThrowsAsync<MySqlException>(() => connection.ChangeDatabaseAsync("no_such_db_42", Ct));
            log.Add($"{error.Number} {error.SqlState} {error.Message} {connection.Database} {await Db.ScalarAsync(connection, "SELECT DATABASE()", Ct)}");
            error = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(connection, "USE no_such_db_42", Ct));
            log.Add($"{error.Number} {error.SqlState} {error.Message} {await Db.ScalarAsync(connection, "SELECT DATABASE()", Ct)}");
            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("information_schema information_schema 1", proxy[1]);
        Assert.Equal("app app", proxy[2]);
        Assert.StartsWith("1049 42000 Unknown database 'no_such_db_42'", proxy[3], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task SetNamesUtf8mb4_EmojiRoundTrip_SameAsDirect()
    {
        const string Text = "emoji 😀🎉👩‍👩‍👧‍👦 and CJK 漢字 and combining é";
        await using var table = await TestTable.CreateAsync("names", "id INT PRIMARY KEY, s VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", Ct);
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            await Db.ExecuteAsync(connection, "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", Ct);
            await using (var insert = new MySqlCommand($"REPLACE INTO `{table}` VALUES (1, @s)", connection))
            {
                insert.Parameters.AddWithValue("@s", Text);
                await insert.ExecuteNonQueryAsync(Ct);
            }

            return new List<string>
            {
                (string)(await Db.ScalarAsync(connection, $"SELECT s FROM `{table}` WHERE id = 1", Ct))!,
                (string)(await Db.ScalarAsync(connection, $"SELECT HEX(s) FROM `{table}` WHERE id = 1", Ct))!,
                (string)(await Db.ScalarAsync(connection, "SELECT CONCAT_WS(',', @@character_set_client, @@character_set_results, @@collation_connection)", Ct))!,
                Db.Render(await Db.ScalarAsync(connection, "SELECT '😀' = _utf8mb4 X'F09F9880' COLLATE utf8mb4_unicode_ci", Ct)),
            };
        });
        Assert.Equal(direct, proxy);
        Assert.Equal(Text, proxy[0]);
        Assert.Equal("utf8mb4,utf8mb4,utf8mb4_unicode_ci", proxy[2]);
    }

    [Fact(Timeout = 60_000)]
    public async Task SetNamesLatin1_ThenBack_SameAsDirect()
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            const string Variables = "SELECT @@character_set_client, @@character_set_results, @@collation_connection, 'é' AS e, HEX('é') AS hex";
            await Db.ExecuteAsync(connection, "SET NAMES latin1", Ct);
            log.AddRange(await Db.QueryAsync(connection, Variables, prepare: false, Ct));
            await Db.ExecuteAsync(connection, "SET NAMES utf8mb4", Ct);
            log.AddRange(await Db.QueryAsync(connection, Variables, prepare: false, Ct));
            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Contains(proxy, line => line.StartsWith("  row string:latin1 | string:latin1 | string:latin1_swedish_ci", StringComparison.Ordinal));
        Assert.Contains(proxy, line => line.StartsWith("  row string:utf8mb4 | string:utf8mb4 | string:utf8mb4_general_ci | string:é | string:C3A9", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task SetTimeZone_AffectsTimestamps_SameAsDirect()
    {
        await using var table = await TestTable.CreateAsync("tz", "id INT PRIMARY KEY, ts TIMESTAMP NULL, dt DATETIME", Ct);
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            await Db.ExecuteAsync(connection, "SET time_zone = '+00:00'", Ct);
            await Db.ExecuteAsync(connection, $"REPLACE INTO `{table}` VALUES (1, '2024-06-01 12:00:00', '2024-06-01 12:00:00')", Ct);
            foreach (string zone in new[] { "+05:30", "-08:00", "SYSTEM", "+00:00" })
            {
                await Db.ExecuteAsync(connection, $"SET time_zone = '{zone}'", Ct);
                log.Add($"{zone}: {await Db.ScalarAsync(connection, $"SELECT CONCAT_WS(' / ', @@session.time_zone, ts, dt, UNIX_TIMESTAMP(ts), FROM_UNIXTIME(0)) FROM `{table}`", Ct)}");
            }

            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("+05:30: +05:30 / 2024-06-01 17:30:00 / 2024-06-01 12:00:00 / 1717243200 / 1970-01-01 05:30:00", proxy[0]);
    }

    [Fact(Timeout = 60_000)]
    public async Task UserAndSessionVariables_LastAcrossStatements_SameAsDirect()
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, "AllowUserVariables=true;", async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            await Db.ExecuteAsync(connection, "SET @a = 1, @b = 'text', @c = NULL, @d = 1.5, @e = X'00FF'", Ct);
            for (int i = 0; i < 5; i++)
            {
                log.Add(Db.Render(await Db.ScalarAsync(connection, "SELECT @a := @a * 2", Ct)));
            }

            log.Add(Db.Render(await Db.ScalarAsync(connection, "SELECT CAST(CONCAT_WS(',', @a, @b, COALESCE(@c, 'null'), @d, HEX(@e)) AS CHAR)", Ct)));
            await Db.ExecuteAsync(connection, "SET SESSION sql_mode = 'ANSI_QUOTES', SESSION group_concat_max_len = 7", Ct);
            log.Add(Db.Render(await Db.ScalarAsync(connection, "SELECT GROUP_CONCAT(seq) FROM seq_1_to_100", Ct)));
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(connection, "SELECT \"not a string\"", Ct));
            log.Add($"{error.Number} {error.Message}");
            log.Add(Db.Render(await Db.ScalarAsync(connection, "SELECT @@session.sql_mode", Ct)));
            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("Int64:32", proxy[4]);
        Assert.Equal("string:32,text,null,1.5,00FF", proxy[5]);
        Assert.Equal("string:1,2,3,4", proxy[6]);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("LAST_INSERT_ID()", "INSERT INTO {t} (n) VALUES (1), (2)", "INSERT INTO {t} (n) VALUES (3)", "UInt64:4")]
    [InlineData("ROW_COUNT()", "UPDATE {t} SET n = n + 10", "UPDATE {t} SET n = n WHERE id = -1", "Int64:3",
        Skip = "Known limitation: ROW_COUNT() cannot be replayed on another connection, and keeping every writing session's connection until its next statement would end multiplexing for write-heavy clients; see the note on issue 3")]
    public async Task PreviousStatementFunctions_AnswerForThisSession_SameAsDirect(string function, string mine, string others, string expected)
    {
        // LAST_INSERT_ID() (my last insert, however many statements ago) and ROW_COUNT() (my previous statement)
        // answer for this session whatever other sessions ran in between. A proxy of its own with one pooled
        // server connection makes the sessions share it deterministically.
        await using var proxy = await ProxyInstance.StartAsync(o => o.Pool.MaxPerBackend = 1);

        async Task<string> RunAsync(string connectionString)
        {
            await using var table = await TestTable.CreateAsync("per_session", "id INT AUTO_INCREMENT PRIMARY KEY, n INT", Ct);
            await using var session = await Db.OpenAsync(connectionString, Ct);
            await using var other = await Db.OpenAsync(connectionString, Ct);
            await Db.ExecuteAsync(session, $"INSERT INTO `{table}` (n) VALUES (0), (0), (0)", Ct);
            await Db.ScalarAsync(session, mine.Replace("{t}", $"`{table}`", StringComparison.Ordinal), Ct);
            if (function == "LAST_INSERT_ID()")
            {
                // A statement in between that does not read it: LAST_INSERT_ID() still means the last insert.
                await Db.ScalarAsync(session, "SELECT 1", Ct);
            }

            await Db.ScalarAsync(other, others.Replace("{t}", $"`{table}`", StringComparison.Ordinal), Ct);
            await Db.ScalarAsync(other, "SELECT 1", Ct);
            return Db.Render(await Db.ScalarAsync(session, $"SELECT {function}", Ct));
        }

        string direct = await RunAsync(Topology.Direct());
        string proxied = await RunAsync(proxy.ConnectionString());
        Assert.Equal(expected, direct);
        Assert.Equal(direct, proxied);
    }

    [Fact(Timeout = 60_000)]
    public async Task SetStatement_ValuesLastOneStatementOnly_SameAsDirect()
    {
        // SET STATEMENT var=... FOR stmt (MariaDB; MySqlConnector's CommandBehavior.SchemaOnly and MySqlBulkCopy
        // send SET STATEMENT sql_select_limit=0 FOR ...): later statements, wherever they run, see the session's
        // own values again.
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            log.AddRange(await Db.QueryAsync(connection, "SET STATEMENT sql_select_limit=0 FOR SELECT seq FROM seq_1_to_3", prepare: false, Ct));
            log.AddRange(await Db.QueryAsync(connection, "SET STATEMENT sql_select_limit=1, max_join_size=1000 FOR SELECT seq FROM seq_1_to_3", prepare: false, Ct));
            for (int i = 0; i < 10; i++)
            {
                log.AddRange(await Db.QueryAsync(connection, "SELECT seq, @@sql_select_limit, @@max_join_size FROM seq_1_to_3", prepare: false, Ct));
            }

            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Equal(31, proxy.Count(line => line.StartsWith("  row ", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task TemporaryTable_LastsForTheSession()
    {
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        await Db.ExecuteAsync(connection, "CREATE TEMPORARY TABLE session_tmp (i INT)", Ct);
        await Db.ExecuteAsync(connection, "INSERT INTO session_tmp SELECT seq FROM seq_1_to_10", Ct);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(55m, Convert.ToDecimal(await Db.ScalarAsync(connection, "SELECT SUM(i) FROM session_tmp", Ct), System.Globalization.CultureInfo.InvariantCulture));
        }

        // Another session does not see it.
        await using var other = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(other, "SELECT COUNT(*) FROM session_tmp", Ct));
        Assert.Equal(1146, error.Number);
    }
}
