using System.Diagnostics;

namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>
/// Holds an exclusive lock file in the topology's directory while the lag collection runs, so that two test runs on
/// the same machine (two checkouts, a developer and a script) do not stop, delay and kill the same replicas at once:
/// DisableParallelization only orders the collections of one run. Other tests that disturb replication can share it.
/// </summary>
public sealed class ReplicationLock : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromMinutes(10);

    private FileStream? _lock;

    public async ValueTask InitializeAsync()
    {
        string path = Path.Combine(Replication.TopologyDirectory, ".replication-tests.lock");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix.
                _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return;
            }
            catch (IOException) when (clock.Elapsed < s_wait)
            {
                await Task.Delay(500);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _lock?.Dispose();
        return ValueTask.CompletedTask;
    }
}
