using System.Globalization;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// Server-side prepared statements on shared backend connections: the client's statement ids belong to the
/// proxy, a statement is prepared on whichever connection runs it, identical texts share one server statement
/// per connection, and each connection keeps at most <c>pool.max_prepared_per_connection</c>.
/// </summary>
public sealed class PreparedStatementPoolingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<MySqlCommand> PrepareAsync(MySqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = new MySqlCommand(sql, connection);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.PrepareAsync(Ct);
        return command;
    }

    private static async Task<long> RunAsync(MySqlCommand command, object? value = null)
    {
        if (value is not null)
        {
            command.Parameters[0].Value = value;
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture);
    }

    [Fact(Timeout = 120_000)]
    public async Task StatementOfA_StillRuns_AfterBUsedTheConnection()
    {
        await using TestTable table = await TestTable.CreateAsync("ps_share", "id INT PRIMARY KEY, v INT", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` SELECT seq, seq * 10 FROM seq_1_to_50", Ct);
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy, extra: Db.Prepared);

        await using MySqlCommand lookup = await PrepareAsync(a, $"SELECT v FROM `{table}` WHERE id = @id", ("@id", 1));
        await using MySqlCommand plus = await PrepareAsync(a, "SELECT @x + 1", ("@x", 1));
        Assert.Equal(10L, await RunAsync(lookup, 1));

        // B takes the connection: its own statements (one with A's very text), state changes, a transaction.
        var ofB = new List<MySqlCommand>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                ofB.Add(await PrepareAsync(b, $"SELECT @x * {i + 2}", ("@x", 3)));
            }

            ofB.Add(await PrepareAsync(b, "SELECT @x + 1", ("@x", 1)));
            await Pooled.ExecAsync(b, "SET sql_mode = 'ANSI', time_zone = '+01:00'");
            await Pooled.ExecAsync(b, "BEGIN");
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(3L * (i + 2), await RunAsync(ofB[i]));
            }

            await Pooled.ExecAsync(b, "COMMIT");

            for (int round = 0; round < 5; round++)
            {
                Assert.Equal((round + 7) * 10L, await RunAsync(lookup, round + 7));
                Assert.Equal(100L + round, await RunAsync(plus, 99 + round));
                Assert.Equal(1000L + round, await RunAsync(ofB[5], 999 + round));
                Assert.Equal(3L * (round + 2), await RunAsync(ofB[round]));
            }
        }
        finally
        {
            foreach (MySqlCommand command in ofB)
            {
                await command.DisposeAsync();
            }
        }

        // Everything ran on the one connection, where A's and B's "SELECT @x + 1" are one server statement.
        Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
        await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, a));
        await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, b));
        Assert.Equal(7, proxy.Listener.Context.PrimaryPool.MostStatementsOnOneConnection());
    }

    [Fact(Timeout = 120_000)]
    public async Task StatementPreparedInAnotherSchema_KeepsResolvingThere()
    {
        string database = Db.UniqueName("psdb");
        await using TestTable table = await TestTable.CreateAsync("ps_schema", "v VARCHAR(10)", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES ('app')", Ct);
        await Db.AdminAsync($"CREATE DATABASE `{database}`", Ct);
        try
        {
            await Db.AdminAsync($"CREATE TABLE `{database}`.`{table}` (v VARCHAR(10))", Ct);
            await Db.AdminAsync($"INSERT INTO `{database}`.`{table}` VALUES ('other')", Ct);

            // Directly: a statement resolves its names in the schema current when it was prepared.
            string sql = $"SELECT v FROM `{table}`";
            await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10, configure: o => o.Pool.MaxPreparedPerConnection = 2);
            await using MySqlConnection a = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
            await using MySqlConnection b = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
            await Pooled.ExecAsync(a, $"USE `{database}`");
            await using var ofA = new MySqlCommand(sql, a);
            await ofA.PrepareAsync(Ct);
            await using var ofB = new MySqlCommand(sql, b);
            await ofB.PrepareAsync(Ct);
            await Pooled.ExecAsync(a, "USE app");
            for (int round = 0; round < 3; round++)
            {
                Assert.Equal("other", await ofA.ExecuteScalarAsync(Ct));
                Assert.Equal("app", await ofB.ExecuteScalarAsync(Ct));

                // Push both out of the connection's cache (limit 2), so the next round prepares them again.
                for (int i = 0; i < 3; i++)
                {
                    await using var filler = new MySqlCommand($"SELECT {round * 10 + i}", b);
                    await filler.PrepareAsync(Ct);
                    await filler.ExecuteScalarAsync(Ct);
                }
            }

            Assert.Equal("app", await Pooled.TextAsync(a, "SELECT DATABASE()"));
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP DATABASE IF EXISTS `{database}`", cleanup.Token);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ManyStatements_TwoClientsOneConnection_BoundedPerConnection()
    {
        const int limit = 8;
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10, configure: o => o.Pool.MaxPreparedPerConnection = limit);
        await using MySqlConnection a = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
        var commands = new List<(MySqlCommand Command, long Offset)>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                commands.Add((await PrepareAsync(a, $"SELECT @x + {i}", ("@x", 0)), i));
                commands.Add((await PrepareAsync(b, $"SELECT @x + {1000 + i}", ("@x", 0)), 1000 + i));
            }

            for (int round = 0; round < 3; round++)
            {
                foreach ((MySqlCommand command, long offset) in commands)
                {
                    Assert.Equal(offset + round, await RunAsync(command, round));
                }
            }

            await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, a));
            await Pooled.WaitUnpinnedAsync(Pooled.Session(proxy, b));
            Assert.Equal(1, proxy.Listener.Context.PrimaryPool.Open);
            Assert.InRange(proxy.Listener.Context.PrimaryPool.MostStatementsOnOneConnection(), 1, limit);
        }
        finally
        {
            foreach ((MySqlCommand command, _) in commands)
            {
                await command.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task OpenCursor_SurvivesMorePreparesThanTheLimit()
    {
        // The connection's statement cache is full while a cursor is open on its oldest statement: making room
        // for new statements must not close the one whose cursor the client is still reading.
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10, configure: o => o.Pool.MaxPreparedPerConnection = 2);
        await using RawSession a = await RawSession.LoginAsync(proxy.Port);
        RawStatement cursor = await a.PrepareAsync("SELECT seq FROM seq_1_to_5");
        Assert.True((await a.ExecuteWithCursorAsync(cursor) & Protocol.ServerStatus.CursorExists) != 0);
        Assert.Equal([1L, 2L], (await a.FetchAsync(cursor, 2)).Rows);
        await a.PrepareAsync("SELECT 1");
        await a.PrepareAsync("SELECT 2");
        await a.PrepareAsync("SELECT 3");
        Assert.Equal([3L, 4L, 5L], (await a.FetchAsync(cursor, 10)).Rows);
    }

    [Fact(Timeout = 120_000)]
    public async Task PendingLongData_SurvivesMorePreparesThanTheLimit()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10, configure: o => o.Pool.MaxPreparedPerConnection = 2);
        await using RawSession a = await RawSession.LoginAsync(proxy.Port);
        RawStatement statement = await a.PrepareAsync("SELECT CONCAT('<', ?, '>')");
        await a.SendLongDataAsync(statement, 0, "kept");
        await a.PrepareAsync("SELECT 1");
        await a.PrepareAsync("SELECT 2");
        await a.PrepareAsync("SELECT 3");
        Assert.Equal("<kept>", await a.ExecuteLongDataAsync(statement));
    }

    [Fact(Timeout = 120_000)]
    public async Task ClosedStatement_UnknownToTheClientAfterwards_OthersUnaffected()
    {
        await using ProxyInstance proxy = await Pooled.StartAsync(borrowTimeoutSeconds: 10);
        await using RawSession a = await RawSession.LoginAsync(proxy.Port);
        await using MySqlConnection b = await Pooled.OpenAsync(proxy, extra: Db.Prepared);
        RawStatement first = await a.PrepareAsync("SELECT seq FROM seq_1_to_3");
        await using MySqlCommand same = await PrepareAsync(b, "SELECT seq FROM seq_1_to_3");

        // COM_STMT_CLOSE from A forgets A's id; B's statement with the same text lives on.
        byte[] close = [(byte)Protocol.CommandCode.StatementClose, .. BitConverter.GetBytes(first.Id)];
        await a.Client.WritePacketAsync(0, close, Ct);
        var error = await Assert.ThrowsAsync<RawErrorException>(() => a.ExecuteWithCursorAsync(first));
        Assert.Equal(1243, error.Error.ErrorCode);
        Assert.Equal(1L, await RunAsync(same));
    }
}
