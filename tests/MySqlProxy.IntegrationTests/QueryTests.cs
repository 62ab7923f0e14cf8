using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Text-protocol statements (COM_QUERY) give the application what they give it directly.</summary>
public sealed class QueryTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Select_Literals_SameAsDirect(bool prepare)
    {
        List<string> result = await Db.AssertSameAsync(fixture,
            "SELECT 1 AS one, -9223372036854775808 AS min_bigint, 18446744073709551615 AS max_ubigint, 1.25e10 AS dbl, " +
            "12345678901234567890.123456789 AS dec_lit, 'héllo wörld' AS str, X'00FF7F' AS bin, NULL AS nothing, " +
            "DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 23:59:59.123456' AS ts, CAST('-838:59:59.000001' AS TIME(6)) AS t, " +
            "DATABASE() AS db, CURRENT_USER() AS who, @@version AS version, 1 = 1 AS truth",
            prepare, Ct);
        Assert.Contains(result, line => line.Contains("string:app@%", StringComparison.Ordinal));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Select_ManyRows_SameAsDirect(bool prepare)
    {
        // About 6 MB of rows: many reads and flushes, rows split across pipe segments.
        List<string> result = await Db.AssertSameAsync(fixture,
            "SELECT seq, CONCAT('row-', seq, '-', REPEAT('x', seq % 97)) AS name, seq * 1.5 AS half, IF(seq % 7 = 0, NULL, seq) AS maybe " +
            "FROM seq_1_to_50000",
            prepare, Ct);
        Assert.Equal(50_000, result.Count(line => line.StartsWith("  row ", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Select_EmptyResult_SameAsDirect()
    {
        await using var table = await TestTable.CreateAsync("q_empty", "id INT PRIMARY KEY, name VARCHAR(20)", Ct);
        List<string> result = await Db.AssertSameAsync(fixture, $"SELECT id, name FROM `{table}` WHERE id > 0", prepare: false, Ct);
        Assert.DoesNotContain(result, line => line.StartsWith("  row ", StringComparison.Ordinal));
        await Db.AssertSameAsync(fixture, $"SELECT id, name FROM `{table}` WHERE id > 0", prepare: true, Ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task InsertUpdateDelete_AffectedRowsAndInsertId_SameAsDirect()
    {
        await using var direct = await TestTable.CreateAsync("q_dml_d", "id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20), n INT", Ct);
        await using var proxied = await TestTable.CreateAsync("q_dml_p", "id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20), n INT", Ct);

        async Task<List<string>> RunAsync(string connectionString, string table)
        {
            var log = new List<string>();
            await using var connection = await Db.OpenAsync(connectionString, Ct);
            string[] statements =
            [
                $"INSERT INTO `{table}` (name, n) VALUES ('a', 1)",
                $"INSERT INTO `{table}` (name, n) VALUES ('b', 2), ('c', 3), ('d', 4)",
                $"UPDATE `{table}` SET n = n + 10 WHERE n >= 3",
                $"UPDATE `{table}` SET n = n WHERE id = 1",
                $"INSERT INTO `{table}` (id, name, n) VALUES (2, 'x', 0) ON DUPLICATE KEY UPDATE n = 99",
                $"DELETE FROM `{table}` WHERE name = 'a'",
                $"REPLACE INTO `{table}` (id, name, n) VALUES (3, 'r', 5)",
            ];
            foreach (string sql in statements)
            {
                await using var command = new MySqlCommand(sql, connection);
                int affected = await command.ExecuteNonQueryAsync(Ct);
                log.Add($"{affected} {command.LastInsertedId}");
            }

            await using var select = new MySqlCommand($"SELECT id, name, n FROM `{table}` ORDER BY id", connection);
            await using var reader = await select.ExecuteReaderAsync(Ct);
            log.AddRange(Db.WithoutName(await Db.RenderAsync(reader, Ct), table));
            return log;
        }

        List<string> directLog = await RunAsync(Topology.Direct(), direct.Name);
        List<string> proxyLog = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directLog, proxyLog);
        Assert.Equal("3 2", directLog[1]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Warnings_CountAndShowWarnings_SameAsDirect()
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            await using (var command = new MySqlCommand("SELECT 1/0, CAST('12abc' AS INT)", connection))
            await using (var reader = await command.ExecuteReaderAsync(Ct))
            {
                log.AddRange(await Db.RenderAsync(reader, Ct));
            }

            log.Add($"warnings {await Db.ScalarAsync(connection, "SELECT @@warning_count", Ct)}");
            await using (var command = new MySqlCommand("SHOW WARNINGS", connection))
            await using (var reader = await command.ExecuteReaderAsync(Ct))
            {
                log.AddRange(await Db.RenderAsync(reader, Ct));
            }

            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Contains(proxy, line => line.Contains("Division by 0", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task PingAndScalar_OnOneConnection_Work()
    {
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(await connection.PingAsync(Ct));
            Assert.Equal((long)i, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT {i}", Ct), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ShowAndDescribe_SameAsDirect()
    {
        await using var table = await TestTable.CreateAsync("q_show",
            "id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'x', n DECIMAL(10,2), KEY ix_name (name)", Ct);
        await Db.AssertSameAsync(fixture, $"SHOW CREATE TABLE `{table}`", prepare: false, Ct);
        await Db.AssertSameAsync(fixture, $"DESCRIBE `{table}`", prepare: false, Ct);
        await Db.AssertSameAsync(fixture, $"SHOW INDEX FROM `{table}`", prepare: false, Ct);
        await Db.AssertSameAsync(fixture, "SHOW VARIABLES LIKE 'max_allowed_packet'", prepare: false, Ct);
        await Db.AssertSameAsync(fixture, $"EXPLAIN SELECT * FROM `{table}` WHERE name = 'a'", prepare: false, Ct);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Batch_SeveralCommands_SameAsDirect(bool prepare)
    {
        await using var direct = await TestTable.CreateAsync("q_batch_d", "id INT PRIMARY KEY, name VARCHAR(20)", Ct);
        await using var proxied = await TestTable.CreateAsync("q_batch_p", "id INT PRIMARY KEY, name VARCHAR(20)", Ct);

        async Task<List<string>> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString + (prepare ? Db.Prepared : string.Empty), Ct);
            await using var batch = new MySqlBatch(connection);
            for (int i = 1; i <= 5; i++)
            {
                var insert = new MySqlBatchCommand($"INSERT INTO `{table}` (id, name) VALUES (@id, @name)");
                insert.Parameters.AddWithValue("@id", i);
                insert.Parameters.AddWithValue("@name", $"batch {i}");
                batch.BatchCommands.Add(insert);
            }

            batch.BatchCommands.Add(new MySqlBatchCommand($"SELECT id, name FROM `{table}` ORDER BY id"));
            batch.BatchCommands.Add(new MySqlBatchCommand($"UPDATE `{table}` SET name = 'changed' WHERE id > 3"));
            batch.BatchCommands.Add(new MySqlBatchCommand("SELECT 'end'"));
            if (prepare)
            {
                await batch.PrepareAsync(Ct);
            }

            await using var reader = await batch.ExecuteReaderAsync(Ct);
            List<string> lines = Db.WithoutName(await Db.RenderAsync(reader, Ct), table);
            lines.AddRange(batch.BatchCommands.Select(c => $"affected {c.RecordsAffected}"));
            return lines;
        }

        List<string> directLines = await RunAsync(Topology.Direct(), direct.Name);
        List<string> proxyLines = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directLines, proxyLines);
        Assert.Contains("  row string:end", proxyLines);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectionIdInStringsAndComments_IsLeftAlone(bool prepare)
    {
        // Only calls are replaced: text that merely mentions CONNECTION_ID() reads the same as directly.
        await Db.AssertSameAsync(fixture,
            "SELECT 'CONNECTION_ID()' AS s, \"CONNECTION_ID()\" AS d, /* CONNECTION_ID() */ 1 AS `CONNECTION_ID()`, LENGTH('x CONNECTION_ID() y') AS n -- CONNECTION_ID()\n",
            prepare, Ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task ServerVersion_ThroughProxy_IsPrimarysVersion()
    {
        await using var direct = await Db.OpenAsync(Topology.Direct(), Ct);
        await using var proxy = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        Assert.Equal(direct.ServerVersion, proxy.ServerVersion);
        Assert.Equal(await Db.ScalarAsync(direct, "SELECT VERSION()", Ct), await Db.ScalarAsync(proxy, "SELECT VERSION()", Ct));
    }
}
