using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Robustness;

/// <summary>
/// The <c>mysqlproxy</c> executable (src/MySqlProxy's build output, run with <c>dotnet</c>) with a temporary
/// config on free ports: start-up, refusal of bad configs with exit code 2, overrides, SIGTERM.
/// </summary>
public sealed class ExecutableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mysqlproxy-exe-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact(Timeout = 60_000)]
    public async Task Start_GoodConfig_LogsOneListeningLineAndServes()
    {
        int port = BackendFailureTests.FreeTcpPort();
        string config = WriteConfig(Config(port));
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", config]);

        await proxy.WaitForListeningAsync(Ct);
        await AssertServesAsync(port);
        await proxy.SendSigtermAsync(Ct);

        Assert.Equal(0, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct));
        string[] listening = [.. proxy.StdOutLines.Where(l => l.Contains("Listening", StringComparison.Ordinal))];
        Assert.True(listening.Length == 1, proxy.StdOut);
        Assert.Contains($"127.0.0.1:{port}", listening[0], StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", proxy.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", proxy.StdOut, StringComparison.Ordinal);
    }

    /// <summary>A bad spot in an otherwise good config: what to find, what to put there, the key the refusal must name.</summary>
    public static TheoryData<string, string, string> BadConfigs() => new()
    {
        { "weight: 100 }", "weigth: 100 }", "backends.replicas[0].weigth" },
        { "port: {primary_port} }", "port: abc }", "backends.primary.port" },
        { "port: {primary_port} }", "port: 70000 }", "backends.primary.port" },
        { "interval: 250ms }", "interval: 5 parsecs }", "monitor.interval" },
        { "shutdown_timeout: 10s", "shutdown_timeout: soon", "sessions.shutdown_timeout" },
        { "max_connections: 100", "max_connections: -5", "sessions.max_connections" },
        { "mysql: 127.0.0.1:{port}", "mysql: not-an-endpoint", "listen.mysql" },
        { "mysql: 127.0.0.1:{port}", "mysql: 127.0.0.1:99999", "listen.mysql" },
        { "reads_on_primary: fallback", "reads_on_primary: sometimes", "routing.reads_on_primary" },
        { "users:", "users: [ {", "{file}" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BadConfigs))]
    public async Task Start_BadConfig_ExitsWith2AndNamesTheKey(string find, string replace, string expectedKey)
    {
        int port = BackendFailureTests.FreeTcpPort();
        string text = Config(port);
        find = find.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{primary_port}", Topology.Primary.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(find, text, StringComparison.Ordinal);
        string config = WriteConfig(text.Replace(find, replace, StringComparison.Ordinal));
        expectedKey = expectedKey.Replace("{file}", Path.GetFileName(config), StringComparison.Ordinal);

        await using ProxyProcess proxy = ProxyProcess.Start(["--config", config]);
        int? exit = await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(exit == 2, $"exit {exit}\n{proxy.StdOut}\n{proxy.StdErr}");
        Assert.StartsWith("mysqlproxy: configuration error:", proxy.StdErr, StringComparison.Ordinal);
        Assert.Contains(expectedKey, proxy.StdErr, StringComparison.Ordinal);

        // A refusal is one clear message, not a stack trace, and the proxy never started listening.
        Assert.DoesNotContain("   at ", proxy.StdOut + proxy.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Listening", proxy.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_MissingConfigFile_ExitsWith2AndNamesTheFile()
    {
        string missing = Path.Combine(_dir, "no-such-proxy.yaml");
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", missing]);

        Assert.Equal(2, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Contains(missing, proxy.StdErr, StringComparison.Ordinal);
        Assert.Contains("not found", proxy.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_ListenAddressInUse_ExitsWith1NamingTheAddress()
    {
        using var occupied = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupied.Start();
        int port = ((System.Net.IPEndPoint)occupied.LocalEndpoint).Port;
        string config = WriteConfig(Config(port));
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", config]);

        int? exit = await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(exit == 1, $"exit {exit}\n{proxy.StdOut}\n{proxy.StdErr}");
        Assert.Contains($"mysqlproxy: listen.mysql: cannot listen on 127.0.0.1:{port}", proxy.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", proxy.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task EnvironmentOverride_ListenMysql_Wins()
    {
        int filePort = BackendFailureTests.FreeTcpPort();
        int envPort = BackendFailureTests.FreeTcpPort();
        string config = WriteConfig(Config(filePort));
        await using ProxyProcess proxy = ProxyProcess.Start(
            ["--config", config],
            new Dictionary<string, string> { ["MYSQLPROXY__Listen__Mysql"] = $"127.0.0.1:{envPort}" });

        await proxy.WaitForListeningAsync(Ct);

        Assert.Contains($"127.0.0.1:{envPort}", proxy.StdOut, StringComparison.Ordinal);
        await AssertServesAsync(envPort);
        await AssertRefusedAsync(filePort);
    }

    [Fact(Timeout = 60_000)]
    public async Task CommandLineOverride_ListenMysql_WinsOverFileAndEnvironment()
    {
        int filePort = BackendFailureTests.FreeTcpPort();
        int envPort = BackendFailureTests.FreeTcpPort();
        int argPort = BackendFailureTests.FreeTcpPort();
        string config = WriteConfig(Config(filePort));
        await using ProxyProcess proxy = ProxyProcess.Start(
            ["--config", config, $"--listen:mysql=127.0.0.1:{argPort}"],
            new Dictionary<string, string> { ["MYSQLPROXY__Listen__Mysql"] = $"127.0.0.1:{envPort}" });

        await proxy.WaitForListeningAsync(Ct);

        Assert.Contains($"127.0.0.1:{argPort}", proxy.StdOut, StringComparison.Ordinal);
        await AssertServesAsync(argPort);
        await AssertRefusedAsync(filePort);
        await AssertRefusedAsync(envPort);
    }

    [Fact(Timeout = 60_000)]
    public async Task CommandLineOverride_BadValue_ExitsWith2NamingKey()
    {
        string config = WriteConfig(Config(BackendFailureTests.FreeTcpPort()));
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", config, "--sessions:max_connections=many"]);

        Assert.Equal(2, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Contains("sessions.max_connections", proxy.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Sigterm_WhileQueryRuns_QueryCompletesNewConnectionsRefusedExitsZero()
    {
        int port = BackendFailureTests.FreeTcpPort();
        string config = WriteConfig(Config(port, shutdownTimeout: "10s"));
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", config]);
        await proxy.WaitForListeningAsync(Ct);

        await using var client = new MySqlConnection(ConnectionString(port));
        await client.OpenAsync(Ct);
        string marker = $"sigterm_{Guid.NewGuid():N}";
        await using var sleep = new MySqlCommand($"SELECT /* route=primary */ SLEEP(3) AS `{marker}`", client);
        var clock = Stopwatch.StartNew();
        Task<object?> running = sleep.ExecuteScalarAsync(Ct);
        await BackendFailureTests.FindBackendThreadAsync(marker);

        await proxy.SendSigtermAsync(Ct);
        await Task.Delay(300, Ct);

        await AssertRefusedAsync(port);
        object? result = await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0L, Convert.ToInt64(result, CultureInfo.InvariantCulture));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), "SLEEP(3) ended early");

        int? exit = await proxy.WaitForExitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.True(exit == 0, $"exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "(still running)"}\n{proxy.StdOut}\n{proxy.StdErr}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(13), $"exiting took until {clock.Elapsed} after the query started (shutdown_timeout 10s)");
        Assert.DoesNotContain("fail:", proxy.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Sigterm_WithIdleClients_ClosesThemAndExitsZeroPromptly()
    {
        int port = BackendFailureTests.FreeTcpPort();
        string config = WriteConfig(Config(port, shutdownTimeout: "20s"));
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", config]);
        await proxy.WaitForListeningAsync(Ct);
        await using var idle = new MySqlConnection(ConnectionString(port));
        await idle.OpenAsync(Ct);
        await using RawMySqlClient raw = await RawMySqlClient.LoginAsync(port, Ct);

        var clock = Stopwatch.StartNew();
        await proxy.SendSigtermAsync(Ct);

        Assert.Equal(0, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(15), Ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"idle sessions held the shutdown for {clock.Elapsed}");
        Assert.True(await raw.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact(Timeout = 60_000)]
    public async Task Sigterm_LogsStoppingAndStoppedOnce()
    {
        int port = BackendFailureTests.FreeTcpPort();
        await using ProxyProcess proxy = ProxyProcess.Start(["--config", WriteConfig(Config(port))]);
        await proxy.WaitForListeningAsync(Ct);

        await proxy.SendSigtermAsync(Ct);

        Assert.Equal(0, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.Single(proxy.StdOutLines, l => l.Contains("Stopping:", StringComparison.Ordinal));
        Assert.Single(proxy.StdOutLines, l => l.Contains("Stopped MySQL listener", StringComparison.Ordinal));
    }

    private static string ConnectionString(int port) =>
        $"Server=127.0.0.1;Port={port};User ID=app;Password=app;Database=app;Pooling=false;Connection Timeout=5";

    private static async Task AssertServesAsync(int port)
    {
        await using var connection = new MySqlConnection(ConnectionString(port));
        await connection.OpenAsync(Ct);
        await using var command = new MySqlCommand("SELECT @@port", connection);
        int serverId = Convert.ToInt32(await command.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture);
        Assert.Contains(serverId, Topology.Replicas.Select(r => r.Port).Append(Topology.Primary.Port));
    }

    private static async Task AssertRefusedAsync(int port)
    {
        await using var connection = new MySqlConnection(ConnectionString(port));
        MySqlException error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(Ct));
        Assert.Equal(MySqlErrorCode.UnableToConnectToHost, error.ErrorCode);
    }

    private static string Config(int port, string shutdownTimeout = "10s") => $$"""
        # Written by ExecutableTests.
        listen:
          mysql: 127.0.0.1:{{port}}
          admin: 127.0.0.1:{{BackendFailureTests.FreeTcpPort()}}
        admin:
          token: test-token
        backends:
          primary: { name: db1, host: {{Topology.Primary.Address}}, port: {{Topology.Primary.Port}} }
          replicas:
            - { name: db2, host: 127.0.0.1, port: 13307, weight: 100 }
          connect_timeout: 5s
        users:
          - { user: app, password: app }
        monitor: { user: monitor, password: monitor, interval: 250ms }
        routing: { max_replica_lag: 2s, read_your_writes: true, reads_on_primary: fallback }
        sessions:
          max_connections: 100
          shutdown_timeout: {{shutdownTimeout}}
        """;

    private string WriteConfig(string text)
    {
        string path = Path.Combine(_dir, $"proxy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
