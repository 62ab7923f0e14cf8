using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace MySqlProxy.IntegrationTests.Robustness;

/// <summary>
/// The <c>mysqlproxy</c> executable as operators run it: <c>dotnet mysqlproxy.dll --config FILE ...</c> in a child
/// process, its output collected line by line.
/// </summary>
internal sealed class ProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private ProxyProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string StdOut => string.Join('\n', _stdout);

    public string StdErr => string.Join('\n', _stderr);

    public IEnumerable<string> StdOutLines => _stdout;

    /// <summary>The executable the tests run: src/MySqlProxy's build output for this configuration, else the copy next to the tests.</summary>
    public static string DllPath { get; } = FindDll();

    public static ProxyProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(DllPath);
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The child must not inherit overrides from whoever runs the tests, and must not colour its logs.
        foreach (string key in startInfo.Environment.Keys.Where(k => k.StartsWith("MYSQLPROXY__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        startInfo.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "0";
        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var proxy = new ProxyProcess(process);
        process.OutputDataReceived += (_, e) => proxy.OnLine(proxy._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => proxy.OnLine(proxy._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return proxy;
    }

    /// <summary>Waits for the "Listening" line; fails with the output so far if the process exits or stays silent.</summary>
    public async Task WaitForListeningAsync(CancellationToken cancellationToken, TimeSpan? within = null)
    {
        Task exited = _process.WaitForExitAsync(cancellationToken);
        Task first = await Task.WhenAny(_listening.Task, exited, Task.Delay(within ?? TimeSpan.FromSeconds(30), cancellationToken));
        if (first != _listening.Task)
        {
            string why = first == exited ? $"exited with {_process.ExitCode}" : "did not log 'Listening' in time";
            throw new Xunit.Sdk.XunitException($"mysqlproxy {why}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
        }
    }

    /// <summary>Sends SIGTERM the way an init system does (<c>kill -TERM pid</c>).</summary>
    public async Task SendSigtermAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {Id} failed with {kill.ExitCode}");
        }
    }

    /// <summary>Waits for the process to end and all its output to be read; returns the exit code, or null after <paramref name="within"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(within);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            await _outputDone.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void OnLine(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _outputDone.TrySetResult();
            }

            return;
        }

        lines.Enqueue(line);
        if (line.Contains("Listening", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }

    private static string FindDll()
    {
        string configuration = typeof(ProxyProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MySqlProxy.sln")))
            {
                string built = Path.Combine(dir.FullName, "src", "MySqlProxy", "bin", configuration, "net10.0", "mysqlproxy.dll");
                if (File.Exists(built))
                {
                    return built;
                }

                break;
            }
        }

        string beside = Path.Combine(AppContext.BaseDirectory, "mysqlproxy.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException($"mysqlproxy.dll not found; build src/MySqlProxy -c {configuration} first");
    }
}
