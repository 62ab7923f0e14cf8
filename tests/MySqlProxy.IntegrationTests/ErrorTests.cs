using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Server errors reach the client with the same code, SQLSTATE and message as directly, and the session goes on.</summary>
public sealed class ErrorTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, bool> Statements()
    {
        var data = new TheoryData<string, string, bool>();
        (string Sql, string Expected)[] cases =
        [
            ("SELEC 1", "1064 42000"),
            ("SELECT * FROM no_such_table_42", "1146 42S02"),
            ("SELECT no_such_column FROM {t}", "1054 42S22"),
            ("INSERT INTO {t} (id, name) VALUES (1, 'duplicate')", "1062 23000"),
            ("INSERT INTO {t} (id, name) VALUES (NULL, 'x')", "1048 23000"),
            ("INSERT INTO {t} (id, name) VALUES (100, REPEAT('x', 100))", "1406 22001"),
            ("INSERT INTO {t} (id, n) VALUES (100, 1/0)", "1365 22012"),
            ("UPDATE {t} SET n = 10 DIV 0 WHERE id = 1", "1365 22012"),
            ("INSERT INTO {t} (id, n) VALUES (100, 'abc')", "1366 22007"),
            ("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom failure from the test'", "1644 45000"),
            ("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Ünïcödé message 😀', MYSQL_ERRNO = 5001", "5001 45000"),
            ("SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'long message ...................................................................................................................................'", "1644 HY000"),
            ("SELECT IF(seq = 3, (SELECT 1 UNION SELECT 2), seq) FROM seq_1_to_5", "1242 21000"),
            ("SELECT CAST('x' AS INT) FROM DUAL WHERE NOT EXISTS (SELECT 1) OR (SELECT 1 FROM no_such_table_42)", "1146 42S02"),
            ("DROP TABLE no_such_table_42", "1051 42S02"),
            ("CREATE TABLE {t} (id INT)", "1050 42S01"),
            ("SET GLOBAL max_connections = 4000", "1227 42000"),
        ];
        foreach ((string sql, string expected) in cases)
        {
            data.Add(sql, expected, false);
            data.Add(sql, expected, true);
        }

        return data;
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Statements))]
    public async Task ServerError_SameCodeStateAndMessageAsDirect(string sql, string expected, bool prepare)
    {
        await using var table = await TestTable.CreateAsync("err", "id INT PRIMARY KEY, name VARCHAR(20), n INT", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES (1, 'one', 1)", Ct);
        string statement = sql.Replace("{t}", $"`{table}`", StringComparison.Ordinal);

        (string direct, string proxy) = await Db.BothAsync(fixture, prepare ? Db.Prepared : string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            await Db.ExecuteAsync(connection, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO'", Ct);
            var rows = new List<string>();
            var error = await Assert.ThrowsAsync<MySqlException>(async () =>
            {
                await using var command = new MySqlCommand(statement, connection);
                if (prepare)
                {
                    await command.PrepareAsync(Ct);
                }

                await using var reader = await command.ExecuteReaderAsync(Ct);
                do
                {
                    while (await reader.ReadAsync(Ct))
                    {
                        rows.Add(Db.Render(reader.GetValue(0)));
                    }
                }
                while (await reader.NextResultAsync(Ct));
            });

            // The session is in step afterwards.
            string after = (string)(await Db.ScalarAsync(connection, "SELECT 'in step'", Ct))!;
            return $"{error.Number} {error.SqlState} {error.Message.Replace(table.Name, "T", StringComparison.Ordinal)} rows=[{string.Join(",", rows)}] {after}";
        });
        Assert.Equal(direct, proxy);
        Assert.StartsWith(expected + " ", proxy, StringComparison.Ordinal);
        Assert.EndsWith(" in step", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ErrorMidResultSet_RowsBeforeItArrive_SameAsDirect()
    {
        (List<string> direct, List<string> proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var log = new List<string>();
            try
            {
                await using var command = new MySqlCommand("SELECT seq, IF(seq = 3000, (SELECT 1 UNION SELECT 2), REPEAT('v', 100)) FROM seq_1_to_5000", connection);
                await using var reader = await command.ExecuteReaderAsync(Ct);
                while (await reader.ReadAsync(Ct))
                {
                    log.Add(Db.Render(reader.GetValue(0)));
                }
            }
            catch (MySqlException ex)
            {
                log.Add($"{ex.Number} {ex.SqlState} {ex.Message}");
            }

            log.Add((string)(await Db.ScalarAsync(connection, "SELECT 'in step'", Ct))!);
            return log;
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("1242 21000 Subquery returns more than 1 row", proxy[^2]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ForeignKeyViolation_SameAsDirect()
    {
        await using var parent = await TestTable.CreateAsync("fk_parent", "id INT PRIMARY KEY", Ct);

        // Declared after the parent, so dropped before it (the parent's DROP fails while the foreign key exists).
        await using var child = await TestTable.CreateAsync("fk_child", $"id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES `{parent}` (id)", Ct);
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(connection, $"INSERT INTO `{child}` VALUES (1, 42)", Ct));
            return $"{error.Number} {error.SqlState} {error.Message}";
        });
        Assert.Equal(direct, proxy);
        Assert.StartsWith("1452 23000", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyErrorsInARow_SessionStaysInStep()
    {
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        for (int i = 0; i < 100; i++)
        {
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(connection, $"SELECT * FROM no_such_table_{i}", Ct));
            Assert.Equal(1146, error.Number);
            Assert.Equal((long)i, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT {i}", Ct), System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
