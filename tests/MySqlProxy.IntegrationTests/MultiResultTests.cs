using System.Data;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Several result sets in one response: multi-statements and stored procedures (SERVER_MORE_RESULTS_EXISTS).</summary>
public sealed class MultiResultTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task MultiStatement_SelectsUpdatesAndVariables_SameAsDirect()
    {
        await using var direct = await TestTable.CreateAsync("multi_d", "id INT PRIMARY KEY, n INT", Ct);
        await using var proxied = await TestTable.CreateAsync("multi_p", "id INT PRIMARY KEY, n INT", Ct);

        async Task<List<string>> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString + "AllowUserVariables=true;", Ct);
            await Db.ExecuteAsync(connection, $"INSERT INTO `{table}` VALUES (1, 10), (2, 20), (3, 30)", Ct);
            string sql =
                "SELECT 1; SELECT 2, 3; " +
                $"UPDATE `{table}` SET n = n + 1 WHERE id >= 2; " +
                "SET @total = 0; " +
                $"SELECT id, n, @total := @total + n AS running FROM `{table}` ORDER BY id; " +
                $"DELETE FROM `{table}` WHERE id = 1; " +
                "SELECT @total, 'last' AS marker";
            await using var command = new MySqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var log = new List<string>();
            int results = 0;
            do
            {
                results++;
                var rows = new List<string>();
                while (await reader.ReadAsync(Ct))
                {
                    var values = new object[reader.FieldCount];
                    reader.GetValues(values);
                    rows.Add(string.Join(",", values.Select(Db.Render)));
                }

                log.Add($"fields={reader.FieldCount} rows=[{string.Join("; ", rows)}]");
            }
            while (await reader.NextResultAsync(Ct));

            log.Add($"results={results} affected={reader.RecordsAffected}");
            return log;
        }

        List<string> directLog = await RunAsync(Topology.Direct(), direct.Name);
        List<string> proxyLog = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directLog, proxyLog);
        Assert.Equal("fields=2 rows=[Int32:2,Int32:3]", proxyLog[1]);
        Assert.Contains("string:last", proxyLog[^2], StringComparison.Ordinal);
        // Four result sets (MySqlConnector skips the OK-only ones); UPDATE changed 2 rows and DELETE 1.
        Assert.Equal("results=4 affected=3", proxyLog[^1]);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MultiStatement_ErrorInTheMiddle_StopsThere_SameAsDirect(bool readAll)
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            try
            {
                await using var command = new MySqlCommand("SELECT 'first'; SELECT * FROM no_such_table_42; SELECT 'never'", connection);
                await using var reader = await command.ExecuteReaderAsync(Ct);
                do
                {
                    while (readAll && await reader.ReadAsync(Ct))
                    {
                        log.Add(Db.Render(reader.GetValue(0)));
                    }
                }
                while (await reader.NextResultAsync(Ct));
                log.Add("no error");
            }
            catch (MySqlException ex)
            {
                log.Add($"{ex.Number} {ex.SqlState} {ex.Message}");
            }

            log.Add("after " + await Db.ScalarAsync(connection, "SELECT 'in step'", Ct));
            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Contains("after in step", proxy);
        Assert.Contains(proxy, line => line.StartsWith("1146 42S02", StringComparison.Ordinal));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StoredProcedure_TwoResultSetsAndOutParameters_SameAsDirect(bool prepare)
    {
        string procedure = Db.UniqueName("proc");
        await Db.AdminAsync(
            $"CREATE PROCEDURE app.`{procedure}`(IN p_in INT, OUT p_double INT, OUT p_text VARCHAR(50), INOUT p_counter BIGINT) " +
            "BEGIN " +
            "  SELECT p_in AS value, 'first' AS label; " +
            "  SELECT seq, seq * p_in FROM seq_1_to_3; " +
            "  SET p_double = p_in * 2, p_text = CONCAT('text ', p_in), p_counter = p_counter + 1; " +
            "END", Ct);
        try
        {
            (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, prepare ? Db.Prepared : string.Empty, async cs =>
            {
                await using var connection = await Db.OpenAsync(cs, Ct);
                await using var command = new MySqlCommand(procedure, connection) { CommandType = CommandType.StoredProcedure };
                command.Parameters.AddWithValue("p_in", 21);
                command.Parameters.Add(new MySqlParameter("p_double", MySqlDbType.Int32) { Direction = ParameterDirection.Output });
                command.Parameters.Add(new MySqlParameter("p_text", MySqlDbType.VarChar) { Direction = ParameterDirection.Output });
                command.Parameters.Add(new MySqlParameter("p_counter", MySqlDbType.Int64) { Direction = ParameterDirection.InputOutput, Value = 41L });
                if (prepare)
                {
                    await command.PrepareAsync(Ct);
                }

                List<string> lines;
                await using (var reader = await command.ExecuteReaderAsync(Ct))
                {
                    lines = await Db.RenderAsync(reader, Ct);
                }

                lines.Add($"out {Db.Render(command.Parameters["p_double"].Value)} {Db.Render(command.Parameters["p_text"].Value)} {Db.Render(command.Parameters["p_counter"].Value)}");
                lines.Add("after " + await Db.ScalarAsync(connection, "SELECT 'in step'", Ct));
                return lines;
            });
            Assert.Equal(direct, proxy);
            Assert.Contains("out Int32:42 string:text 21 Int64:42", proxy);
            Assert.Contains("  row Int32:21 | string:first", proxy);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP PROCEDURE IF EXISTS app.`{procedure}`", cleanup.Token);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task CallStatement_WithUserVariableOutParameters_SameAsDirect()
    {
        string procedure = Db.UniqueName("proc_call");
        await Db.AdminAsync(
            $"CREATE PROCEDURE app.`{procedure}`(IN p_in INT, OUT p_out INT) " +
            "BEGIN SELECT p_in; SELECT p_in + 1, p_in + 2; SET p_out = p_in * 10; END", Ct);
        try
        {
            (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, "AllowUserVariables=true;", async cs =>
            {
                await using var connection = await Db.OpenAsync(cs, Ct);
                await using var command = new MySqlCommand($"CALL `{procedure}`(5, @out); SELECT @out", connection);
                await using var reader = await command.ExecuteReaderAsync(Ct);
                return await Db.RenderAsync(reader, Ct);
            });
            Assert.Equal(direct, proxy);
            Assert.Contains("  row Int64:50", proxy);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP PROCEDURE IF EXISTS app.`{procedure}`", cleanup.Token);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyResultSets_InOneResponse_SameAsDirect()
    {
        string sql = string.Join("; ", Enumerable.Range(1, 200).Select(i => $"SELECT {i} AS n, REPEAT('r', {i * 10}) AS s"));
        List<string> proxy = await Db.AssertSameAsync(fixture, sql, prepare: false, Ct);
        Assert.Equal(200, proxy.Count(line => line.StartsWith("result ", StringComparison.Ordinal)));
    }
}
