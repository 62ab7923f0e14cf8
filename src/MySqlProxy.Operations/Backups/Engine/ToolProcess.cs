using System.Diagnostics;
using System.Text;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Backups.Engine;

/// <summary>
/// Runs one of the database's tools (mariadb-backup, mbstream, mariadb-binlog, mariadb) with its standard
/// streams piped: stdout to a consumer, stdin from a producer, stderr kept (last lines) for the error message.
/// Cancellation kills the process tree. Arguments never carry a password (credentials go in a defaults file).
/// </summary>
internal sealed class ToolProcess
{
    private const int StderrLines = 25;

    private ToolProcess()
    {
    }

    /// <summary>
    /// Runs <paramref name="tool"/>; <paramref name="stdout"/> reads its output, <paramref name="stdin"/> writes its
    /// input (then closes it). Throws <see cref="JobFailedException"/> naming the tool, its exit code and its last
    /// stderr lines when it fails.
    /// </summary>
    public static async Task<string> RunAsync(
        string tool,
        IEnumerable<string> arguments,
        Func<Stream, CancellationToken, Task>? stdout,
        Func<Stream, CancellationToken, Task>? stdin,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new JobFailedException($"{tool}: cannot start it ({ex.Message}); is it installed on this host?", ex);
        }

        var tail = new Queue<string>();
        var all = new StringBuilder();
        Task errors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > StderrLines)
                    {
                        tail.Dequeue();
                    }

                    if (all.Length < 1 << 16)
                    {
                        all.AppendLine(line);
                    }
                }
            }
        }, CancellationToken.None);

        using CancellationTokenRegistration kill = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        });

        Task output = stdout is null
            ? process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None)
            : stdout(process.StandardOutput.BaseStream, cancellationToken);
        Task input = Task.CompletedTask;
        if (stdin is not null)
        {
            input = Task.Run(async () =>
            {
                try
                {
                    await stdin(process.StandardInput.BaseStream, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    try
                    {
                        process.StandardInput.Close();
                    }
                    catch (IOException)
                    {
                        // The tool exited early; its exit code tells why.
                    }
                }
            }, CancellationToken.None);
        }

        Exception? failure = null;
        try
        {
            await Task.WhenAll(output, input).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await errors.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        string stderrTail;
        lock (tail)
        {
            stderrTail = string.Join(" | ", tail.Where(l => l.Length > 0).TakeLast(8));
        }

        if (process.ExitCode != 0)
        {
            // An input/output failure (a broken repository object) explains a tool's failure better than its stderr.
            if (failure is BackupIntegrityException or JobFailedException)
            {
                throw failure;
            }

            throw new JobFailedException($"{Path.GetFileName(tool)} failed (exit {process.ExitCode}): {stderrTail}", failure!);
        }

        if (failure is not null)
        {
            throw failure is BackupIntegrityException or JobFailedException ? failure : new JobFailedException($"{Path.GetFileName(tool)}: {failure.Message}", failure);
        }

        lock (tail)
        {
            return all.ToString();
        }
    }
}
