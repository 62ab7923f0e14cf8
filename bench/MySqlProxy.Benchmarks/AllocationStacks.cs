using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace MySqlProxy.Benchmarks;

/// <summary>
/// <c>--alloc-stacks shape query|execute [ops]</c>: traces this very process through EventPipe (GC allocation
/// ticks with their call stacks, one per ~100 KB allocated) while the round trip runs, and prints where the
/// sampled allocations come from, so that every allocating call site can be named exactly.
/// </summary>
internal static class AllocationStacks
{
    /// <summary><c>--cpu-stacks shape query|execute [ops]</c>: the same with the sample profiler: where the threads are, by method.</summary>
    public static int RunCpu(string[] args) => Run(args, cpu: true);

    public static int Run(string[] args) => Run(args, cpu: false);

    private static int Run(string[] args, bool cpu)
    {
        RelayShape shape = Enum.Parse<RelayShape>(args[0], ignoreCase: true);
        bool execute = args.Length > 1 && args[1].Equals("execute", StringComparison.OrdinalIgnoreCase);
        int ops = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : shape == RelayShape.Row1x17MiB ? 100 : 200_000;
        var bench = new RelayBenchmarks { Shape = shape };
        bench.Setup();
        Func<byte> operation = execute ? bench.Execute : bench.Query;
        string path = Path.Combine(Path.GetTempPath(), $"mysqlproxy-alloc-{Environment.ProcessId}.nettrace");
        try
        {
            for (int i = 0; i < 2_000 && i < ops; i++)
            {
                operation();
            }

            List<EventPipeProvider> providers =
            [
                new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose,
                    (long)((cpu ? 0 : ClrTraceEventParser.Keywords.GC) | ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
            ];
            if (cpu)
            {
                providers.Add(new EventPipeProvider("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational));
            }

            var client = new DiagnosticsClient(Environment.ProcessId);
            using (EventPipeSession session = client.StartEventPipeSession(providers, requestRundown: true, circularBufferMB: 512))
            {
                Task copy = Task.Run(() =>
                {
                    using FileStream file = File.Create(path);
                    session.EventStream.CopyTo(file);
                });
                for (int i = 0; i < ops; i++)
                {
                    operation();
                }

                session.Stop();
                copy.Wait();
            }
        }
        finally
        {
            bench.Cleanup();
        }

        try
        {
            if (cpu)
            {
                ReportCpu(path);
            }
            else
            {
                Report(path);
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".etlx");
        }

        return 0;
    }

    private static void ReportCpu(string path)
    {
        // Exclusive: the frame a thread was in; inclusive: every proxy method on the stack (once per sample).
        var exclusive = new Dictionary<string, int>();
        var inclusive = new Dictionary<string, int>();
        int total = 0;
        using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(path)))
        {
            foreach (TraceEvent e in log.Events)
            {
                if (e.ProviderName != "Microsoft-DotNETCore-SampleProfiler" || e.CallStack() is not { } stack)
                {
                    continue;
                }

                total++;
                string top = stack.CodeAddress.FullMethodName;
                exclusive[top] = exclusive.GetValueOrDefault(top) + 1;
                var seen = new HashSet<string>();
                for (TraceCallStack? frame = stack; frame is not null; frame = frame.Caller)
                {
                    string name = frame.CodeAddress.FullMethodName;
                    if (seen.Add(name))
                    {
                        inclusive[name] = inclusive.GetValueOrDefault(name) + 1;
                    }
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} thread samples; exclusive:"));
        foreach ((string name, int count) in exclusive.OrderByDescending(p => p.Value).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,7}  {name}"));
        }

        Console.WriteLine("inclusive (proxy, pipes and sockets):");
        foreach ((string name, int count) in inclusive.Where(p => p.Key.StartsWith("MySqlProxy.Core", StringComparison.Ordinal) || p.Key.Contains("Pipelines", StringComparison.Ordinal) || p.Key.Contains("Sockets", StringComparison.Ordinal))
            .OrderByDescending(p => p.Value).Take(40))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,7}  {name}"));
        }
    }

    private static void Report(string path)
    {
        // Samples are grouped by type and call site: the frames up to the first one in the proxy's code or
        // in the socket library, which is where a fix would go. One full stack is kept per site.
        var sites = new Dictionary<string, (int Count, string Stack)>();
        int total = 0;
        using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(path)))
        {
            foreach (TraceEvent e in log.Events)
            {
                if (e is not GCAllocationTickTraceData tick)
                {
                    continue;
                }

                total++;
                var key = new StringBuilder(tick.TypeName);
                var stack = new StringBuilder();
                bool siteFound = false;
                int frames = 0;
                for (TraceCallStack? frame = e.CallStack(); frame is not null && frames < 16; frame = frame.Caller, frames++)
                {
                    string name = frame.CodeAddress.FullMethodName;
                    stack.Append("\n          ").Append(name);
                    if (!siteFound)
                    {
                        key.Append(" <- ").Append(name);
                        siteFound = name.StartsWith("MySqlProxy.", StringComparison.Ordinal) || name.StartsWith("Pipelines.Sockets", StringComparison.Ordinal);
                    }
                }

                string site = key.ToString();
                sites[site] = sites.TryGetValue(site, out var seen) ? (seen.Count + 1, seen.Stack) : (1, stack.ToString());
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} allocation samples (one per ~100 KB allocated); by call site:"));
        foreach ((string site, (int count, string stack)) in sites.OrderByDescending(p => p.Value.Count).Take(12))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,6} x {site}"));
            Console.WriteLine("        stack:" + stack);
        }
    }
}
