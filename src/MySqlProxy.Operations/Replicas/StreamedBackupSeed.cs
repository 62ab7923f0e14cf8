using System.Diagnostics;
using System.Globalization;
using System.Text;
using MySqlConnector;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Replicas;

/// <summary>
/// Seeds a new replica physically with a fresh backup of the primary: <c>mariadb-backup --backup
/// --stream=xbstream</c> piped through this process (counting bytes) into <c>mbstream -x</c>, <c>--prepare</c>d, then
/// the new server is stopped, the prepared files moved into its datadir (<c>--move-back</c>) and the server started
/// again from its option file. The GTID position comes from <c>mariadb_backup_binlog_info</c>: mariadb-backup does
/// not carry gtid_binlog_pos over (MDEV-18405), so the set-up sets gtid_slave_pos from it.
/// </summary>
/// <remarks>
/// Runs the tools on the proxy's host, so it needs the primary's datadir and the new server's files there (the
/// local topology; an agent on each database host is the way for remote servers, not built yet). The new server's
/// old datadir is kept beside it until the new one has started, and put back when the set-up fails.
/// </remarks>
public sealed class StreamedBackupSeed : ISeedSource
{
    private string? _datadir;
    private string? _previous;
    private string? _defaultsFile;

    public string Name => "physical";

    public async Task<SeedResult> SeedAsync(SeedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        Job job = context.Job;
        ReplicaSetupRequest request = context.Request;
        string defaultsFile = request.DefaultsFile ?? throw new JobFailedException("a physical seed needs defaults_file (the new server's my.cnf)");
        if (!File.Exists(defaultsFile))
        {
            throw new JobFailedException($"defaults_file {defaultsFile} does not exist on the proxy's host");
        }

        ServerFiles files = await ServerFiles.ReadAsync(defaultsFile, ct).ConfigureAwait(false);
        string datadir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Datadir ?? files.Datadir));
        if (!string.Equals(datadir, Path.TrimEndingDirectorySeparator(Path.GetFullPath(files.Datadir)), StringComparison.Ordinal))
        {
            throw new JobFailedException($"datadir {datadir} is not the datadir of {defaultsFile} ({files.Datadir})");
        }

        string primaryDatadir;
        string binlogBase;
        long total;
        await using (MySqlConnection primary = await Sql.OpenAsync(context.Primary, "primary", ct).ConfigureAwait(false))
        {
            Dictionary<string, object?> p = (await Sql.RowsAsync(primary, "SELECT @@datadir AS datadir, @@log_bin_basename AS binlog", ct).ConfigureAwait(false))[0];
            primaryDatadir = Sql.Field(p, "datadir");
            binlogBase = Path.GetFileName(Sql.Field(p, "binlog"));
        }

        if (!Directory.Exists(primaryDatadir))
        {
            throw new JobFailedException($"the primary's datadir {primaryDatadir} is not on the proxy's host, where mariadb-backup runs: use a logical seed (leave out datadir and defaults_file); seeding through an agent on the primary's host is not supported yet");
        }

        total = DirectorySize(primaryDatadir, binlogBase);
        string work = Path.Combine(context.WorkDir, string.Create(CultureInfo.InvariantCulture, $"{request.Name}-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}"));
        string staging = Path.Combine(work, "backup");
        Directory.CreateDirectory(staging);
        Directory.CreateDirectory(Path.Combine(work, "tmp"));
        try
        {
            // The login goes in a file only this user can read, never on a command line (ps shows those).
            string login = Path.Combine(work, "backup.cnf");
            var mode = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                mode.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var writer = new StreamWriter(login, new UTF8Encoding(false), mode))
            {
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"[mariadb-backup]\nuser={context.Primary.User}\npassword={context.Primary.Password}\nhost={context.Primary.Host}\nport={context.Primary.Port}\n")).ConfigureAwait(false);
            }

            job.SetStep("seed (physical): stream backup");
            job.SetTotal(total);
            long bytes = await StreamBackupAsync(job, login, primaryDatadir, work, staging, ct).ConfigureAwait(false);

            job.SetStep("seed (physical): prepare");
            await Tool.RunAsync("mariadb-backup", ["--no-defaults", "--prepare", $"--target-dir={staging}"], Path.Combine(work, "prepare.log"), ct).ConfigureAwait(false);
            string gtid = (await BackupBinlogInfo.ReadAsync(staging, ct).ConfigureAwait(false)).GtidPosition;
            job.Log($"backup prepared at GTID position '{gtid}' ({bytes} bytes streamed)");

            job.SetStep("seed (physical): stop target");
            await StopAsync(context, files, ct).ConfigureAwait(false);

            job.SetStep("seed (physical): copy back");
            _defaultsFile = defaultsFile;
            _datadir = datadir;
            _previous = string.Create(CultureInfo.InvariantCulture, $"{datadir}.before-replica-{DateTime.UtcNow:yyyyMMddHHmmss}");
            Directory.Move(datadir, _previous);
            await Tool.RunAsync("mariadb-backup", [$"--defaults-file={defaultsFile}", "--move-back", $"--target-dir={staging}", $"--datadir={datadir}"],
                Path.Combine(work, "move-back.log"), ct).ConfigureAwait(false);

            job.SetStep("seed (physical): start target");
            await StartAsync(context, files, ct).ConfigureAwait(false);
            Directory.Delete(_previous, recursive: true);
            _previous = null;
            job.Log($"{context.Target.Address} started on the copied datadir {datadir}");
            TryDelete(() => Directory.Delete(work, recursive: true));
            return new SeedResult(gtid, bytes, 0, 0);
        }
        catch (JobFailedException ex)
        {
            throw new JobFailedException($"{ex.Message} (tool logs in {work})", ex);
        }
        finally
        {
            // Never leave the login behind, nor a copy of the data; the tools' logs stay for a failed run.
            TryDelete(() => File.Delete(Path.Combine(work, "backup.cnf")));
            TryDelete(() => Directory.Delete(staging, recursive: true));
            TryDelete(() => Directory.Delete(Path.Combine(work, "tmp"), recursive: true));
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or left for the operator.
        }
    }

    /// <summary>Puts the new server's own datadir back when it was swapped out, and starts it.</summary>
    public async Task CleanUpAsync(SeedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_previous is null || _datadir is null || _defaultsFile is null)
        {
            return;
        }

        ServerFiles files = await ServerFiles.ReadAsync(_defaultsFile, ct).ConfigureAwait(false);
        await StopAsync(context, files, ct).ConfigureAwait(false);
        if (Directory.Exists(_datadir))
        {
            Directory.Delete(_datadir, recursive: true);
        }

        Directory.Move(_previous, _datadir);
        _previous = null;
        await StartAsync(context, files, ct).ConfigureAwait(false);
        context.Job.Log($"clean-up: the target's own datadir is back in {_datadir} and the server runs again");
    }

    /// <summary>mariadb-backup's stream copied into mbstream, bytes counted as they pass.</summary>
    private static async Task<long> StreamBackupAsync(Job job, string login, string primaryDatadir, string work, string staging, CancellationToken ct)
    {
        using Process backup = Tool.Start("mariadb-backup",
            [$"--defaults-file={login}", "--backup", "--stream=xbstream", $"--datadir={primaryDatadir}", $"--target-dir={Path.Combine(work, "tmp")}"],
            redirectInput: false);
        using Process extract = Tool.Start("mbstream", ["-x", "-C", staging], redirectInput: true);
        Task<string> backupLog = Tool.TailAsync(backup.StandardError, Path.Combine(work, "backup.log"));
        Task<string> extractLog = Tool.TailAsync(extract.StandardError, Path.Combine(work, "mbstream.log"));
        long bytes = 0;
        try
        {
            Stream source = backup.StandardOutput.BaseStream;
            Stream sink = extract.StandardInput.BaseStream;
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                await sink.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                bytes += read;
                job.AddBytes(read);
            }

            await sink.FlushAsync(ct).ConfigureAwait(false);
            extract.StandardInput.Close();
            await backup.WaitForExitAsync(ct).ConfigureAwait(false);
            await extract.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (Tool.Kill(backup) | Tool.Kill(extract))
        {
            throw; // never reached: Kill returns false
        }

        if (backup.ExitCode != 0)
        {
            throw new JobFailedException($"mariadb-backup --backup exited with {backup.ExitCode}: {await backupLog.ConfigureAwait(false)}");
        }

        if (extract.ExitCode != 0)
        {
            throw new JobFailedException($"mbstream -x exited with {extract.ExitCode}: {await extractLog.ConfigureAwait(false)}");
        }

        return bytes;
    }

    /// <summary>SHUTDOWN over SQL, then waits until the server's process is gone.</summary>
    private static async Task StopAsync(SeedContext context, ServerFiles files, CancellationToken ct)
    {
        int? pid = files.ReadPid();
        try
        {
            await using MySqlConnection target = await Sql.OpenAsync(context.Target, "target", ct).ConfigureAwait(false);
            await Sql.ExecAsync(target, "SHUTDOWN", ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MySqlException or JobFailedException)
        {
            if (pid is null)
            {
                return; // not running
            }
        }

        var clock = Stopwatch.StartNew();
        while (pid is int id && Tool.IsRunning(id))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new JobFailedException($"{context.Target.Address} (pid {id}) did not stop within 120 s of SHUTDOWN");
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Starts mariadbd from the option file in a session of its own (it outlives the proxy) and waits until it answers.</summary>
    private static async Task StartAsync(SeedContext context, ServerFiles files, CancellationToken ct)
    {
        string user = Environment.UserName == "root" ? " --user=root" : string.Empty;
        await Tool.RunAsync("/bin/sh", ["-c", $"exec setsid -f mariadbd --defaults-file='{files.DefaultsFile.Replace("'", "'\\''", StringComparison.Ordinal)}'{user} </dev/null >/dev/null 2>&1"],
            null, ct).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using MySqlConnection target = await Sql.OpenAsync(context.Target, "target", ct).ConfigureAwait(false);
                return;
            }
            catch (JobFailedException) when (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(250, ct).ConfigureAwait(false);
            }
            catch (JobFailedException ex)
            {
                throw new JobFailedException($"{context.Target.Address} did not answer within 120 s of starting mariadbd --defaults-file={files.DefaultsFile} ({ex.Message}); see {files.ErrorLog ?? "its error log"}", ex);
            }
        }
    }

    /// <summary>Bytes of the files mariadb-backup copies (the binary and redo logs aside): the total for percent and ETA.</summary>
    private static long DirectorySize(string directory, string binlogBase)
    {
        long total = 0;
        foreach (FileInfo file in new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            // The redo log is streamed only from the backup's checkpoint on, so its file size would overstate the total.
            bool binlog = binlogBase.Length > 0 && file.Name.StartsWith(binlogBase + ".", StringComparison.Ordinal);
            if (!binlog && !file.Name.StartsWith("ib_logfile", StringComparison.Ordinal))
            {
                total += file.Length;
            }
        }

        return Math.Max(1, total);
    }
}

/// <summary>A server's files as its option file names them (my_print_defaults --defaults-file=... mysqld).</summary>
internal sealed record ServerFiles(string DefaultsFile, string Datadir, string? PidFile, string? ErrorLog)
{
    public static async Task<ServerFiles> ReadAsync(string defaultsFile, CancellationToken ct)
    {
        string output = await Tool.RunAsync("my_print_defaults", [$"--defaults-file={defaultsFile}", "mysqld", "mariadbd", "server"], null, ct).ConfigureAwait(false);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith("--", StringComparison.Ordinal) && eq > 2)
            {
                options[line[2..eq].Replace('-', '_')] = line[(eq + 1)..];
            }
        }

        string datadir = options.GetValueOrDefault("datadir") ?? throw new JobFailedException($"{defaultsFile} names no datadir in [mysqld]");
        string? pid = options.GetValueOrDefault("pid_file");
        if (pid is not null && !Path.IsPathRooted(pid))
        {
            pid = Path.Combine(datadir, pid);
        }

        return new ServerFiles(defaultsFile, datadir, pid, options.GetValueOrDefault("log_error"));
    }

    public int? ReadPid()
    {
        try
        {
            return PidFile is not null && File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>External tools: started without a shell, their errors kept.</summary>
internal static class Tool
{
    public static Process Start(string file, IEnumerable<string> arguments, bool redirectInput)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(info) ?? throw new JobFailedException($"{file} could not be started");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new JobFailedException($"{file} could not be started: {ex.Message} (is it installed?)", ex);
        }
    }

    /// <summary>Runs a tool to its end; returns its output, or throws with the end of its error output.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string? logFile, CancellationToken ct)
    {
        using Process process = Start(file, arguments, redirectInput: false);
        Task<string> output = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> errors = TailAsync(process.StandardError, logFile);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Kill(process))
        {
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new JobFailedException($"{file} {string.Join(' ', arguments.Take(2))} exited with {process.ExitCode}: {await errors.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }

    /// <summary>Reads a tool's error output to its end (into <paramref name="logFile"/> when given); returns its last lines.</summary>
    public static async Task<string> TailAsync(StreamReader reader, string? logFile)
    {
        var last = new Queue<string>();
        StreamWriter? log = logFile is null ? null : new StreamWriter(logFile, append: false, Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (log is not null)
                {
                    await log.WriteLineAsync(line).ConfigureAwait(false);
                }

                last.Enqueue(line);
                if (last.Count > 3)
                {
                    last.Dequeue();
                }
            }
        }
        finally
        {
            if (log is not null)
            {
                await log.DisposeAsync().ConfigureAwait(false);
            }
        }

        return string.Join(" | ", last);
    }

    /// <summary>Kills a process tree if it still runs; always false (for use in exception filters).</summary>
    public static bool Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        return false;
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
