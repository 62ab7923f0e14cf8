using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Sessions;
using MySqlProxy.IntegrationTests.Infrastructure;
using MySqlProxy.Protocol;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// Helpers for the pooling tests: a dedicated proxy with a tiny pool (so that clients must share backend
/// connections), the proxy's view of a client session, and waits for pin changes (the proxy updates a
/// session's pins just after the client has its response, so tests poll instead of reading once).
/// </summary>
internal static class Pooled
{
    /// <summary>Extra connection-string settings: <c>@x</c> in SQL is a user variable, not a missing parameter.</summary>
    public const string UserVariables = "AllowUserVariables=true;";

    private static readonly TimeSpan s_pinWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A proxy of its own with at most <paramref name="maxPerBackend"/> connections per backend. Without
    /// <paramref name="replicas"/> it knows only the primary, so reads share the primary's few connections
    /// with everything else.
    /// </summary>
    public static Task<ProxyInstance> StartAsync(int maxPerBackend = 1, double borrowTimeoutSeconds = 1, Action<ProxyOptions>? configure = null, bool replicas = false) =>
        ProxyInstance.StartAsync(o =>
        {
            if (!replicas)
            {
                o.Backends.Replicas.Clear();
            }

            o.Pool.MaxPerBackend = maxPerBackend;
            o.Pool.BorrowTimeout = Duration.FromSeconds(borrowTimeoutSeconds);
            configure?.Invoke(o);
        });

    /// <summary>Opens a MySqlConnector client on <paramref name="proxy"/> that may use user variables.</summary>
    public static Task<MySqlConnection> OpenAsync(ProxyInstance proxy, string user = "app", string password = "app", string extra = "") =>
        Db.OpenAsync(proxy.ConnectionString(user, password, extra: UserVariables + extra), TestContext.Current.CancellationToken);

    /// <summary>The proxy's session for a client connection (its id is the one the client got in the greeting).</summary>
    public static ClientSession Session(ProxyInstance proxy, MySqlConnection connection) => Session(proxy, (uint)connection.ServerThread);

    public static ClientSession Session(ProxyInstance proxy, uint id)
    {
        foreach (ClientSession session in proxy.Listener.Context.Sessions.Snapshot())
        {
            if (session.Id == id)
            {
                return session;
            }
        }

        throw new Xunit.Sdk.XunitException($"no session {id} in the proxy");
    }

    /// <summary>Waits until the session is pinned by <paramref name="cause"/> (among others) and holds a backend connection.</summary>
    public static async Task WaitPinnedAsync(ClientSession session, PinCauses cause)
    {
        var clock = Stopwatch.StartNew();
        while ((session.Pins & cause) != cause || session.Backend is null)
        {
            if (clock.Elapsed > s_pinWait)
            {
                throw new Xunit.Sdk.XunitException($"session {session.Id} not pinned by {cause}: pins {session.Pins}, backend {(session.Backend is null ? "none" : "held")}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the session has no pin and holds no backend connection between statements.</summary>
    public static async Task WaitUnpinnedAsync(ClientSession session)
    {
        var clock = Stopwatch.StartNew();
        while (session.Pins != PinCauses.None || session.Backend is not null)
        {
            if (clock.Elapsed > s_pinWait)
            {
                throw new Xunit.Sdk.XunitException($"session {session.Id} still pinned: pins {session.Pins}, backend {(session.Backend is null ? "none" : "held")}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// A statement on <paramref name="client"/> finds the pool exhausted: after about the borrow timeout it gets
    /// ERR 9001 that says so (never a hang), and the client can go on afterwards.
    /// </summary>
    public static async Task AssertExhaustedAsync(ProxyInstance proxy, MySqlConnection client)
    {
        TimeSpan timeout = proxy.Options.Pool.BorrowTimeout.Value;
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MySqlException>(() => Db.ScalarAsync(client, "SELECT 1", TestContext.Current.CancellationToken));
        clock.Stop();
        Assert.Equal(ErrorCodes.PoolExhausted, error.Number);
        Assert.Contains("max_per_backend", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, timeout * 0.9, timeout + TimeSpan.FromSeconds(5));
        Assert.Equal(System.Data.ConnectionState.Open, client.State);
    }

    /// <summary>A statement on <paramref name="client"/> runs (the connection it needs is free again).</summary>
    public static async Task AssertRunsAsync(MySqlConnection client) =>
        Assert.Equal(1L, await LongAsync(client, "SELECT 1"));

    public static async Task<long> LongAsync(MySqlConnection connection, string sql)
    {
        object? value = await Db.ScalarAsync(connection, sql, TestContext.Current.CancellationToken);
        return Convert.ToInt64(value ?? throw new Xunit.Sdk.XunitException($"NULL from {sql}"), CultureInfo.InvariantCulture);
    }

    public static async Task<string?> TextAsync(MySqlConnection connection, string sql)
    {
        object? value = await Db.ScalarAsync(connection, sql, TestContext.Current.CancellationToken);
        return value switch
        {
            null => null,
            byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }

    public static Task<int> ExecAsync(MySqlConnection connection, string sql) =>
        Db.ExecuteAsync(connection, sql, TestContext.Current.CancellationToken);

    /// <summary>The first row of a query as text (NULL as null).</summary>
    public static async Task<string?[]> RowAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken), $"no row from {sql}");
        var row = new string?[reader.FieldCount];
        for (int i = 0; i < row.Length; i++)
        {
            object value = reader.GetValue(i);
            row[i] = value switch
            {
                DBNull => null,
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }

        return row;
    }

    /// <summary>
    /// Session variables a client can see and change, read in one row; a fresh direct connection to the
    /// primary gives the reference values.
    /// </summary>
    public const string SessionProbe =
        "SELECT @@time_zone, @@sql_mode, @@tx_isolation, @@tx_read_only, @@autocommit, @@character_set_client, " +
        "@@character_set_connection, @@character_set_results, @@collation_connection, @@div_precision_increment, " +
        "@@group_concat_max_len, @@max_statement_time, @@lc_time_names, DATABASE()";

    /// <summary>What <see cref="SessionProbe"/> gives on a new direct connection to the primary as app.</summary>
    public static async Task<string?[]> DirectDefaultsAsync()
    {
        await using var direct = await Db.OpenAsync(Topology.Direct(), TestContext.Current.CancellationToken);
        return await RowAsync(direct, SessionProbe);
    }

    /// <summary>Sets a handful of session variables to values no default has.</summary>
    public const string SetManyVariables =
        "SET time_zone = '+05:00', sql_mode = 'PIPES_AS_CONCAT,ANSI_QUOTES', tx_isolation = 'SERIALIZABLE', " +
        "autocommit = 0, div_precision_increment = 9, group_concat_max_len = 4321, max_statement_time = 42, lc_time_names = 'de_DE'";
}
