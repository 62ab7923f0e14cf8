using System.Diagnostics;
using System.Globalization;
using System.Net;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Clients;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>
/// Replication control on the topology's replicas (as admin, and only statements that never write there: a write
/// on a replica would break its replication), the topology script, and putting everything back.
/// </summary>
internal static class Replication
{
    /// <summary>Where deploy/local/topology.sh keeps its nodes (its TOPO_DIR).</summary>
    public static string TopologyDirectory { get; } = Environment.GetEnvironmentVariable("TOPO_DIR") ?? "/var/tmp/mysqlproxy-topology";

    /// <summary>An admin connection straight to one server.</summary>
    public static string AdminOn(IPEndPoint server) =>
        $"Server={server.Address};Port={server.Port};User ID=admin;Password=admin;Pooling=false;Connection Timeout=5;Default Command Timeout=30";

    /// <summary>An app connection straight to one server (reads only, on a replica).</summary>
    public static string AppOn(IPEndPoint server) =>
        $"Server={server.Address};Port={server.Port};User ID=app;Password=app;Database=app;Pooling=false;Connection Timeout=5;Default Command Timeout=30";

    public static async Task ExecOnAsync(IPEndPoint server, string sql, CancellationToken ct)
    {
        await using MySqlConnection connection = await Db.OpenAsync(AdminOn(server), ct);
        await Db.ExecuteAsync(connection, sql, ct);
    }

    public static async Task<long> ServerIdAsync(IPEndPoint server, CancellationToken ct)
    {
        await using MySqlConnection connection = await Db.OpenAsync(AdminOn(server), ct);
        return Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT @@server_id", ct), CultureInfo.InvariantCulture);
    }

    /// <summary>SHOW SLAVE STATUS of a replica, column by column; null when replication is not configured.</summary>
    public static async Task<IReadOnlyDictionary<string, object?>?> StatusAsync(IPEndPoint replica, CancellationToken ct)
    {
        await using MySqlConnection connection = await Db.OpenAsync(AdminOn(replica), ct);
        await using var command = new MySqlCommand("SHOW SLAVE STATUS", connection);
        await using MySqlDataReader reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var status = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < reader.FieldCount; i++)
        {
            status[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return status;
    }

    /// <summary>Both replication threads run ("Yes").</summary>
    public static bool Running(IReadOnlyDictionary<string, object?>? status) =>
        status is not null && Text(status, "Slave_IO_Running") == "Yes" && Text(status, "Slave_SQL_Running") == "Yes";

    public static string? Text(IReadOnlyDictionary<string, object?> status, string column) =>
        status.TryGetValue(column, out object? value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    /// <summary>What the primary has written (gtid_binlog_pos).</summary>
    public static async Task<string> PrimaryPositionAsync(CancellationToken ct)
    {
        await using MySqlConnection connection = await Db.OpenAsync(AdminOn(Topology.Primary), ct);
        return (string?)await Db.ScalarAsync(connection, "SELECT @@gtid_binlog_pos", ct) ?? string.Empty;
    }

    /// <summary>Waits until <paramref name="replica"/> has applied <paramref name="position"/>; false on timeout.</summary>
    public static async Task<bool> WaitForPositionAsync(IPEndPoint replica, string position, TimeSpan timeout, CancellationToken ct)
    {
        if (position.Length == 0)
        {
            return true;
        }

        await using MySqlConnection connection = await Db.OpenAsync(AdminOn(replica) + $";Default Command Timeout={(int)timeout.TotalSeconds + 10}", ct);
        object? result = await Db.ScalarAsync(connection, $"SELECT MASTER_GTID_WAIT('{position}', {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)})", ct);
        return Convert.ToInt64(result, CultureInfo.InvariantCulture) == 0;
    }

    /// <summary>
    /// Delayed replication (MariaDB's MASTER_DELAY, whole seconds: the SQL thread applies an event once
    /// <c>delay</c> seconds have passed since its second-resolution timestamp).
    /// </summary>
    public static Task SetDelayAsync(IPEndPoint replica, int seconds, CancellationToken ct) =>
        ExecOnAsync(replica, $"STOP SLAVE; CHANGE MASTER TO MASTER_DELAY={seconds}; START SLAVE", ct);

    /// <summary>
    /// Puts every replica back as the topology wants it: running, no delay, replicating from the primary's port; a
    /// server that does not answer is restarted by <c>topology.sh up</c>. Then waits until each has applied what
    /// the primary has. Never takes the test's token: it must run when the test was cancelled too.
    /// </summary>
    public static async Task RestoreAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        CancellationToken ct = limit.Token;
        var problems = new List<string>();
        bool restarted = false;
        foreach (IPEndPoint replica in Topology.Replicas)
        {
            IReadOnlyDictionary<string, object?>? status;
            try
            {
                status = await StatusAsync(replica, ct);
            }
            catch (MySqlException) when (!restarted)
            {
                await TopologyScriptAsync(["up"], TimeSpan.FromSeconds(90), ct);
                restarted = true;
                status = await StatusAsync(replica, ct);
            }

            if (status is null)
            {
                problems.Add($"{replica}: replication is not configured");
                continue;
            }

            bool repoint = Text(status, "Master_Port") != Topology.Primary.Port.ToString(CultureInfo.InvariantCulture) ||
                Text(status, "SQL_Delay") is not ("0" or null);
            if (repoint)
            {
                await ExecOnAsync(replica,
                    $"STOP SLAVE; CHANGE MASTER TO MASTER_PORT={Topology.Primary.Port}, MASTER_DELAY=0; START SLAVE", ct);
            }
            else if (!Running(status))
            {
                await ExecOnAsync(replica, "START SLAVE", ct);
            }
        }

        foreach (IPEndPoint replica in Topology.Replicas)
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyDictionary<string, object?>? status = await StatusAsync(replica, ct);
            while (!Running(status) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, ct);
                status = await StatusAsync(replica, ct);
            }

            if (!Running(status))
            {
                problems.Add($"{replica}: replication does not run: IO={Text(status!, "Slave_IO_Running")} SQL={Text(status!, "Slave_SQL_Running")} " +
                    $"{Text(status!, "Last_IO_Error")} {Text(status!, "Last_SQL_Error")}");
            }
        }

        string position = await PrimaryPositionAsync(ct);
        foreach (IPEndPoint replica in Topology.Replicas)
        {
            if (!await WaitForPositionAsync(replica, position, TimeSpan.FromSeconds(30), ct))
            {
                problems.Add($"{replica}: did not apply {position} within 30 s");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("the topology could not be restored: " + string.Join("; ", problems));
        }
    }

    /// <summary>Runs deploy/local/topology.sh with <paramref name="arguments"/>; throws with its output when it fails.</summary>
    public static async Task TopologyScriptAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        ProcessResult result = await ExternalProcess.RunAsync("bash", [ScriptPath, .. arguments], ct, timeout: timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"topology.sh {string.Join(' ', arguments)} failed: {result}");
        }
    }

    /// <summary>
    /// Starts a node killed by <see cref="KillServerAsync"/> again (topology.sh start PORT: crash recovery, then it
    /// resumes replicating from its crash-safe position), trying twice on a busy machine; then checks the topology.
    /// </summary>
    public static async Task RestartServerAsync(IPEndPoint server, CancellationToken ct)
    {
        string port = server.Port.ToString(CultureInfo.InvariantCulture);
        try
        {
            await TopologyScriptAsync(["start", port], TimeSpan.FromSeconds(120), ct);
        }
        catch (InvalidOperationException)
        {
            await Task.Delay(2000, ct);
            await TopologyScriptAsync(["start", port], TimeSpan.FromSeconds(120), ct);
        }

        await RestoreAsync();
    }

    /// <summary>SIGKILL of the mariadbd that topology.sh started for <paramref name="server"/> (its pid file, checked against its command line).</summary>
    public static async Task KillServerAsync(IPEndPoint server, Action? killed = null)
    {
        string directory = Path.Combine(TopologyDirectory, server.Port.ToString(CultureInfo.InvariantCulture));
        int pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(directory, "mysqld.pid"))).Trim(), CultureInfo.InvariantCulture);
        string commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
        if (!commandLine.Contains($"--defaults-file={directory}/my.cnf", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"pid {pid} from {directory}/mysqld.pid is not that node's mariadbd: {commandLine}");
        }

        using (Process process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL on Unix
            killed?.Invoke();
        }

        // Gone once its port refuses connections (the process may linger as a zombie until something reaps it).
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(server).WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or TimeoutException)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException($"{server} still accepts connections 10 s after SIGKILL of pid {pid}");
    }

    private static string ScriptPath { get; } = FindScript();

    private static string FindScript()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "deploy", "local", "topology.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"deploy/local/topology.sh not found above {AppContext.BaseDirectory}");
    }
}
