using System.Diagnostics;
using MySqlConnector;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Backups.Engine;

/// <summary>
/// A mariadbd started on a restored datadir, with no configuration file of its own (<c>--no-defaults</c>), its
/// socket, pid file and error log beside the datadir, as root with <c>--user=root</c> when run as root. For
/// verification and binlog replay it listens only on its socket and skips the grant tables (nothing else can
/// reach it); a restored server left running listens on 127.0.0.1:port with the backup's own users.
/// </summary>
internal sealed class ScratchServer : IAsyncDisposable
{
    private readonly Process _process;
    private bool _stopped;

    private ScratchServer(Process process, string datadir, string socket, string errorLog, int? port)
    {
        _process = process;
        Datadir = datadir;
        Socket = socket;
        ErrorLog = errorLog;
        Port = port;
    }

    public string Datadir { get; }

    public string Socket { get; }

    public string ErrorLog { get; }

    public int? Port { get; }

    public int ProcessId => _process.Id;

    /// <summary>Root over the socket (with the grant tables skipped any user is let in).</summary>
    public string ConnectionString => new MySqlConnectionStringBuilder
    {
        Server = Socket,
        ConnectionProtocol = MySqlConnectionProtocol.UnixSocket,
        UserID = "root",
        Pooling = false,
        DefaultCommandTimeout = 600,
        AllowUserVariables = true,
    }.ConnectionString;

    /// <summary>Starts mariadbd and waits until it answers (up to <paramref name="timeout"/>).</summary>
    public static async Task<ScratchServer> StartAsync(string datadir, string runDir, int? port, bool skipGrants, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(runDir);
        string socket = Path.Combine(runDir, "mysqld.sock");
        if (socket.Length >= 100)
        {
            throw new JobFailedException($"backups.work_dir: the socket path {socket} is too long for a unix socket; use a shorter work_dir");
        }

        string errorLog = Path.Combine(runDir, "error.log");
        var info = new ProcessStartInfo("mariadbd")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("--no-defaults");
        info.ArgumentList.Add($"--datadir={datadir}");
        info.ArgumentList.Add($"--socket={socket}");
        info.ArgumentList.Add($"--pid-file={Path.Combine(runDir, "mysqld.pid")}");
        info.ArgumentList.Add($"--log-error={errorLog}");
        info.ArgumentList.Add("--innodb-buffer-pool-size=64M");
        info.ArgumentList.Add("--skip-log-bin");
        info.ArgumentList.Add("--max-allowed-packet=256M");
        if (Environment.UserName == "root")
        {
            info.ArgumentList.Add("--user=root");
        }

        if (port is int p)
        {
            info.ArgumentList.Add($"--port={p}");
            info.ArgumentList.Add("--bind-address=127.0.0.1");
        }
        else
        {
            info.ArgumentList.Add("--skip-networking");
        }

        if (skipGrants)
        {
            info.ArgumentList.Add("--skip-grant-tables");
        }

        Process process = Process.Start(info) ?? throw new JobFailedException("mariadbd: cannot start it");
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        var server = new ScratchServer(process, datadir, socket, errorLog, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new JobFailedException($"the restored server on {datadir} exited during start (exit {process.ExitCode}): {Tail(errorLog)}");
            }

            if (File.Exists(socket))
            {
                try
                {
                    await using var connection = new MySqlConnection(server.ConnectionString + ";Connection Timeout=2");
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    return server;
                }
                catch (MySqlException)
                {
                    // Not ready yet.
                }
            }

            if (deadline.Elapsed > timeout || cancellationToken.IsCancellationRequested)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new JobFailedException($"the restored server on {datadir} did not answer within {timeout.TotalSeconds:0}s: {Tail(errorLog)}");
            }

            await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Leaves the server running after this object is gone (a restore that was asked to start it).</summary>
    public void Detach() => _stopped = true;

    /// <summary>Shuts the server down cleanly (SIGTERM), killing it after 60 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            _process.Dispose();
            return;
        }

        _stopped = true;
        if (!_process.HasExited)
        {
            try
            {
                Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            }
            catch (System.ComponentModel.Win32Exception)
            {
                _process.Kill();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    internal static string Tail(string path)
    {
        try
        {
            return string.Join(" | ", File.ReadLines(path).TakeLast(6));
        }
        catch (IOException)
        {
            return "(no error log)";
        }
    }
}
