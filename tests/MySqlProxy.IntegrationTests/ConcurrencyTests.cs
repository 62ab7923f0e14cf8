using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Many client sessions at once, each with its own backend connection.</summary>
public sealed class ConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task TwoHundredConnections_AtOnce_AllQueriesSucceed()
    {
        // A proxy of its own, so that its session count says whether every session ended.
        await using var proxy = await ProxyInstance.StartAsync();
        const int Clients = 200;
        var ids = new ConcurrentBag<long>();
        int open = 0;
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task ClientAsync(int n)
        {
            await using var connection = await Db.OpenAsync(proxy.ConnectionString(extra: Db.Prepared), Ct);
            if (Interlocked.Increment(ref open) == Clients)
            {
                allOpen.SetResult();
            }

            // Every connection is open at the same time before any runs its queries.
            await allOpen.Task.WaitAsync(Ct);
            long id = Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT CONNECTION_ID()", Ct), CultureInfo.InvariantCulture);
            Assert.Equal(connection.ServerThread, id);
            ids.Add(id);

            await using (var prepared = new MySqlCommand("SELECT @n * 2, REPEAT('x', @n)", connection))
            {
                prepared.Parameters.AddWithValue("@n", n);
                await prepared.PrepareAsync(Ct);
                await using var reader = await prepared.ExecuteReaderAsync(Ct);
                Assert.True(await reader.ReadAsync(Ct));
                Assert.Equal(n * 2L, reader.GetInt64(0));
                Assert.Equal(n, reader.GetString(1).Length);
            }

            await using (var command = new MySqlCommand($"SELECT seq FROM seq_1_to_{100 + n}", connection))
            await using (var reader = await command.ExecuteReaderAsync(Ct))
            {
                long sum = 0;
                while (await reader.ReadAsync(Ct))
                {
                    sum += reader.GetInt64(0);
                }

                Assert.Equal((100L + n) * (101 + n) / 2, sum);
            }

            await using (var transaction = await connection.BeginTransactionAsync(Ct))
            {
                await using var command = new MySqlCommand("SELECT @@in_transaction", connection, transaction);
                Assert.Equal(1L, Convert.ToInt64(await command.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture));
                await transaction.CommitAsync(Ct);
            }

            Assert.True(await connection.PingAsync(Ct));
        }

        await Task.WhenAll(Enumerable.Range(1, Clients).Select(n => Task.Run(() => ClientAsync(n), Ct)));
        Assert.Equal(Clients, ids.Distinct().Count());

        // Every session ends with its client.
        var watch = Stopwatch.StartNew();
        while (proxy.Listener.SessionCount > 0 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(0, proxy.Listener.SessionCount);
    }

    [Fact(Timeout = 120_000)]
    public async Task ManyShortConnections_OneAfterAnother_NoLeak()
    {
        await using var proxy = await ProxyInstance.StartAsync();
        for (int round = 0; round < 10; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
            {
                await using var connection = await Db.OpenAsync(proxy.ConnectionString(), Ct);
                Assert.Equal((long)i, Convert.ToInt64(await Db.ScalarAsync(connection, $"SELECT {i}", Ct), CultureInfo.InvariantCulture));
            }));
        }

        var watch = Stopwatch.StartNew();
        while (proxy.Listener.SessionCount > 0 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(0, proxy.Listener.SessionCount);
    }
}
