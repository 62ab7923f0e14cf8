using MySqlConnector;
using MySqlProxy.LoadTest.Measurement;
using MySqlProxy.LoadTest.Reporting;

namespace MySqlProxy.LoadTest;

/// <summary>
/// --idle N: for each target with a process id, reads that process's VmRSS, opens N connections that log
/// in and then stay idle, waits for the process to settle, reads VmRSS again. A few connections are
/// opened and closed first, so that code paths run once (JIT, first buffers) are not charged to the N.
/// </summary>
internal static class IdleMemory
{
    private const int OpenInParallel = 16;

    public static async Task<List<IdleResult>> RunAsync(LoadTestOptions o, TextWriter log, CancellationToken ct)
    {
        var results = new List<IdleResult>();
        int n = o.Idle ?? 0;
        foreach (TargetSpec target in o.Targets)
        {
            int? pid = o.Pids.TryGetValue(target.Name, out int p) ? p : null;
            var result = new IdleResult { Target = target.Name, Pid = pid, Connections = n };
            results.Add(result);
            if (pid is null)
            {
                result.Failure = "no --pid for this target";
                continue;
            }
            string cs = Database.ConnectionString(target.Host, target.Port, o.User, o.Password, o.Database);
            var open = new List<MySqlConnection>(n);
            try
            {
                await OpenManyAsync(cs, 32, open, ct).ConfigureAwait(false);
                await CloseAllAsync(open).ConfigureAwait(false);
                await Task.Delay(o.IdleSettle, ct).ConfigureAwait(false);

                result.RssBeforeKiB = ProcFs.ReadRssKiB(pid.Value);
                await OpenManyAsync(cs, n, open, ct).ConfigureAwait(false);
                await Task.Delay(o.IdleSettle, ct).ConfigureAwait(false);
                // Still logged in and usable: one round trip on the last connection.
                await using (var ping = new MySqlCommand("SELECT 1", open[^1]))
                    await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
                result.RssAfterKiB = ProcFs.ReadRssKiB(pid.Value);
                await log.WriteLineAsync($"idle: {target.Name} pid {pid}: {n} connections, RSS {result.RssBeforeKiB} -> {result.RssAfterKiB} KiB ({ReportWriter.F(result.KiBPerConnection, 1)} KiB each)").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException)
            {
                result.Failure = $"{ex.Message} (after {open.Count} connections)";
                await log.WriteLineAsync($"idle: {target.Name}: {result.Failure}").ConfigureAwait(false);
            }
            finally
            {
                await CloseAllAsync(open).ConfigureAwait(false);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }
        return results;
    }

    private static async Task OpenManyAsync(string cs, int count, List<MySqlConnection> into, CancellationToken ct)
    {
        int next = 0;
        var gate = new object();
        async Task OpenLoopAsync()
        {
            while (true)
            {
                lock (gate)
                {
                    if (next >= count) return;
                    next++;
                }
                var conn = new MySqlConnection(cs);
                lock (gate) into.Add(conn);
                await conn.OpenAsync(ct).ConfigureAwait(false);
            }
        }
        var loops = new Task[Math.Min(OpenInParallel, count)];
        for (int i = 0; i < loops.Length; i++) loops[i] = OpenLoopAsync();
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private static async Task CloseAllAsync(List<MySqlConnection> connections)
    {
        foreach (MySqlConnection c in connections) await c.DisposeAsync().ConfigureAwait(false);
        connections.Clear();
    }
}
