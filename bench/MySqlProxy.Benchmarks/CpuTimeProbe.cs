using System.Globalization;
using System.Runtime.InteropServices;

namespace MySqlProxy.Benchmarks;

/// <summary>
/// <c>--cpu-time</c>: the classifier and framing benchmarks timed by the thread's own CPU clock
/// (CLOCK_THREAD_CPUTIME_ID) instead of the wall clock, in batches, reporting the fastest and the median batch.
/// On a shared machine whose load average is many times its core count, BenchmarkDotNet's wall-clock means
/// mostly measure the wait for a core; a thread's CPU time does not count that wait.
/// </summary>
internal static class CpuTimeProbe
{
    private const int ThreadCpuTimeClock = 3;

    public static int Run()
    {
        var classifier = new ClassifierBenchmarks();
        classifier.Setup();
        Console.WriteLine("| Benchmark | ns/op, fastest batch | ns/op, median batch |");
        Console.WriteLine("|---|---:|---:|");
        foreach (SqlStatement statement in ClassifierBenchmarks.Statements)
        {
            Report($"Classify {statement.Name} ({statement.Bytes.Length} B)", () => classifier.Classify(statement), statement.Bytes.Length > 1000 ? 2_000 : 20_000);
        }

        Report("Classify Mix (per statement)", () => classifier.Mix(), 2_000, operationsPerCall: 9);
        foreach (RelayShape shape in Enum.GetValues<RelayShape>())
        {
            foreach (Segmentation layout in Enum.GetValues<Segmentation>())
            {
                var framing = new FramingBenchmarks { Shape = shape, Layout = layout };
                framing.Setup();
                int calls = shape == RelayShape.Row1x17MiB && layout == Segmentation.Segments4KiB ? 20 : shape == RelayShape.Rows100x100B ? 2_000 : 20_000;
                Report($"Framing Walk {shape} {layout}", () => framing.Walk(), calls);
            }
        }

        return 0;
    }

    private static void Report<T>(string name, Func<T> operation, int callsPerBatch, int operationsPerCall = 1)
    {
        const int Batches = 25;

        // Long enough for tiered compilation to have replaced the code with its optimized version.
        long warm = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(warm) < TimeSpan.FromMilliseconds(500))
        {
            for (int i = 0; i < callsPerBatch; i++)
            {
                operation();
            }
        }

        var perOp = new double[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long start = Now();
            for (int i = 0; i < callsPerBatch; i++)
            {
                operation();
            }

            perOp[b] = (Now() - start) / (double)callsPerBatch / operationsPerCall;
        }

        Array.Sort(perOp);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {perOp[0]:N1} | {perOp[Batches / 2]:N1} |"));
    }

    private static long Now()
    {
        if (ClockGetTime(ThreadCpuTimeClock, out Timespec time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
