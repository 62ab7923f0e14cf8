using System.Runtime.InteropServices;
using MySqlProxy.LoadTest;
using MySqlProxy.LoadTest.Reporting;

LoadTestOptions options;
try
{
    options = OptionParser.Parse(args);
}
catch (OptionException ex)
{
    await Console.Error.WriteLineAsync($"loadtest: {ex.Message}");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(OptionParser.Usage);
    return 0;
}

using var cts = new CancellationTokenSource();
// Ctrl-C and SIGTERM stop the runs in order, so that a lagged replica is put back.
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine("loadtest: stopping");
    cts.Cancel();
}

TextWriter log = Console.Error;
try
{
    LoadTestReport report = await LoadTest.RunAsync(options, args, log, cts.Token);
    if (options.JsonPath is not null) await File.WriteAllTextAsync(options.JsonPath, ReportWriter.Json(report));
    string markdown = ReportWriter.Markdown(report);
    if (options.MarkdownPath is not null) await File.WriteAllTextAsync(options.MarkdownPath, markdown);
    Console.WriteLine(markdown);
    bool failed = report.Workloads.Exists(w => w.Runs.Exists(r => r.Failure is not null)) || report.Idle.Exists(i => i.Failure is not null);
    return failed ? 1 : 0;
}
catch (Exception ex) when (ex is OperationCanceledException || cts.IsCancellationRequested)
{
    await log.WriteLineAsync("loadtest: cancelled");
    return 130;
}
catch (Exception ex) when (ex is MySqlConnector.MySqlException or InvalidOperationException or IOException)
{
    await log.WriteLineAsync($"loadtest: {ex.Message}");
    return 1;
}
