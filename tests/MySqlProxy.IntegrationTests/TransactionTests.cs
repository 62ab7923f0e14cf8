using System.Data;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Transactions through the proxy: rolled back, committed, savepoints, autocommit off, read-only.</summary>
public sealed class TransactionTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task RolledBack_RowsNotVisibleAfterwards()
    {
        await using var table = await TestTable.CreateAsync("tx_rb", "id INT PRIMARY KEY, name VARCHAR(20)", Ct);
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            for (int i = 1; i <= 10; i++)
            {
                await using var insert = new MySqlCommand($"INSERT INTO `{table}` VALUES ({i}, 'row {i}')", connection, transaction);
                await insert.ExecuteNonQueryAsync(Ct);
            }

            Assert.Equal(10L, await CountAsync(connection, table, transaction));
            Assert.Equal(0L, await CountDirectAsync(table));
            await transaction.RollbackAsync(Ct);
        }

        Assert.Equal(0L, await CountAsync(connection, table));
        Assert.Equal(0L, await CountDirectAsync(table));
    }

    [Fact(Timeout = 60_000)]
    public async Task Committed_RowsVisibleToOtherConnections()
    {
        await using var table = await TestTable.CreateAsync("tx_commit", "id INT PRIMARY KEY, name VARCHAR(20)", Ct);
        await using var connection = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, Ct))
        {
            await using (var insert = new MySqlCommand($"INSERT INTO `{table}` SELECT seq, CONCAT('row ', seq) FROM seq_1_to_25", connection, transaction))
            {
                Assert.Equal(25, await insert.ExecuteNonQueryAsync(Ct));
            }

            Assert.Equal(0L, await CountDirectAsync(table));
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(25L, await CountDirectAsync(table));

        // Another session through the proxy reads on a replica: once it has applied the commit.
        await Db.WaitForReplicasAsync(Ct);
        await using var other = await Db.OpenAsync(fixture.ConnectionString(), Ct);
        Assert.Equal(25L, await CountAsync(other, table));
    }

    [Fact(Timeout = 60_000)]
    public async Task TextStatements_SavepointsAndAutocommitOff_SameAsDirect()
    {
        await using var direct = await TestTable.CreateAsync("tx_text_d", "id INT PRIMARY KEY", Ct);
        await using var proxied = await TestTable.CreateAsync("tx_text_p", "id INT PRIMARY KEY", Ct);

        async Task<List<string>> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString, Ct);
            var log = new List<string>();
            string[] statements =
            [
                "START TRANSACTION",
                $"INSERT INTO `{table}` VALUES (1)",
                "SAVEPOINT a",
                $"INSERT INTO `{table}` VALUES (2)",
                "ROLLBACK TO SAVEPOINT a",
                $"INSERT INTO `{table}` VALUES (3)",
                "COMMIT",
                "SET autocommit = 0",
                $"INSERT INTO `{table}` VALUES (4)",
                "ROLLBACK",
                $"INSERT INTO `{table}` VALUES (5)",
                "COMMIT",
                $"INSERT INTO `{table}` VALUES (6)",
                "SET autocommit = 1",
                "BEGIN",
                $"DELETE FROM `{table}` WHERE id = 1",
                "ROLLBACK",
            ];
            foreach (string sql in statements)
            {
                await Db.ExecuteAsync(connection, sql, Ct);
                log.Add($"{sql.Replace(table, "T", StringComparison.Ordinal)}: {await Db.ScalarAsync(connection, $"SELECT GROUP_CONCAT(id ORDER BY id) FROM `{table}`", Ct)}");
            }

            await using var other = await Db.OpenAsync(Topology.Direct(), Ct);
            log.Add($"committed: {await Db.ScalarAsync(other, $"SELECT GROUP_CONCAT(id ORDER BY id) FROM `{table}`", Ct)}");
            return log;
        }

        List<string> directLog = await RunAsync(Topology.Direct(), direct.Name);
        List<string> proxyLog = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directLog, proxyLog);

        // SET autocommit = 1 commits the pending 6.
        Assert.Equal("committed: 1,3,5,6", proxyLog[^1]);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadOnlyTransaction_RefusesWrites_SameAsDirect()
    {
        await using var table = await TestTable.CreateAsync("tx_ro", "id INT PRIMARY KEY", Ct);
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            await Db.ExecuteAsync(connection, "START TRANSACTION READ ONLY", Ct);
            var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(connection, $"INSERT INTO `{table}` VALUES (1)", Ct));
            await Db.ExecuteAsync(connection, "COMMIT", Ct);
            return $"{error.Number} {error.SqlState} {error.Message}";
        });
        Assert.Equal(direct, proxy);
        Assert.StartsWith("1792 25006", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task LockWaitTimeout_InsideTransaction_SameErrorAsDirect()
    {
        await using var table = await TestTable.CreateAsync("tx_lock", "id INT PRIMARY KEY, n INT", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES (1, 0)", Ct);
        await using var holder = await Db.OpenAsync(Topology.Direct(), Ct);
        await Db.ExecuteAsync(holder, "START TRANSACTION", Ct);
        await Db.ExecuteAsync(holder, $"UPDATE `{table}` SET n = 1 WHERE id = 1", Ct);
        try
        {
            (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
            {
                await using var connection = await Db.OpenAsync(cs, Ct);
                await Db.ExecuteAsync(connection, "SET SESSION innodb_lock_wait_timeout = 1", Ct);
                await using var transaction = await connection.BeginTransactionAsync(Ct);
                var error = await Assert.ThrowsAsync<MySqlException>(() =>
                    new MySqlCommand($"UPDATE `{table}` SET n = 2 WHERE id = 1", connection, transaction).ExecuteNonQueryAsync(Ct));
                await transaction.RollbackAsync(Ct);
                return $"{error.Number} {error.SqlState} {error.Message} then {await Db.ScalarAsync(connection, "SELECT 'in step'", Ct)}";
            });
            Assert.Equal(direct, proxy);
            Assert.StartsWith("1205 HY000", proxy, StringComparison.Ordinal);
        }
        finally
        {
            await Db.ExecuteAsync(holder, "ROLLBACK", Ct);
        }
    }

    private static async Task<long> CountAsync(MySqlConnection connection, TestTable table, MySqlTransaction? transaction = null)
    {
        await using var command = new MySqlCommand($"SELECT COUNT(*) FROM `{table}`", connection, transaction);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> CountDirectAsync(TestTable table)
    {
        await using var connection = await Db.OpenAsync(Topology.Direct(), Ct);
        return await CountAsync(connection, table);
    }
}
