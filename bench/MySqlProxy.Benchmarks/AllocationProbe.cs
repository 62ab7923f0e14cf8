using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace MySqlProxy.Benchmarks;

/// <summary>
/// <c>--alloc-probe [shape...]</c>: runs the relay round trips in a plain loop and reports bytes allocated per
/// operation (whole process, and the client's own thread), then samples what allocates with the runtime's
/// GCAllocationTick event (one sample per ~100 KB allocated, with the type). An async state machine box names
/// its method in its type, which is usually enough to find the call site.
/// </summary>
internal static class AllocationProbe
{
    public static int Run(string[] args)
    {
        RelayShape[] shapes = args.Length == 0 ? Enum.GetValues<RelayShape>() : [.. args.Select(a => Enum.Parse<RelayShape>(a, ignoreCase: true))];
        foreach (RelayShape shape in shapes)
        {
            var bench = new RelayBenchmarks { Shape = shape };
            bench.Setup();
            try
            {
                int iterations = shape == RelayShape.Row1x17MiB ? 100 : 20_000;
                Measure($"{shape} Query", () => bench.Query(), iterations);
                Measure($"{shape} Execute", () => bench.Execute(), iterations);
            }
            finally
            {
                bench.Cleanup();
            }
        }

        return 0;
    }

    private static void Measure(string name, Func<byte> operation, int iterations)
    {
        for (int i = 0; i < Math.Min(iterations, 2_000); i++)
        {
            operation();
        }

        // The allocation counters are read inside the CPU-time reads: Process objects are not counted.
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long workItems = ThreadPool.CompletedWorkItemCount;
        long total = GC.GetTotalAllocatedBytes(precise: true);
        long thread = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
        {
            operation();
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        long totalPerOp = (GC.GetTotalAllocatedBytes(precise: true) - total) / iterations;
        long threadPerOp = (GC.GetAllocatedBytesForCurrentThread() - thread) / iterations;
        double hops = (ThreadPool.CompletedWorkItemCount - workItems) / (double)iterations;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-24} {iterations,7} ops  {elapsed.TotalMicroseconds / iterations,10:0.0} us/op  {cpu.TotalMicroseconds / iterations,10:0.0} us CPU/op  {hops,5:0.00} thread-pool items/op  process {totalPerOp,8} B/op  client thread {threadPerOp,4} B/op"));
        if (totalPerOp == 0)
        {
            return;
        }

        using var listener = new AllocationTickListener();
        long sampled = GC.GetTotalAllocatedBytes(precise: true);
        int more = (int)Math.Min(iterations * 5L, Math.Max(iterations, 20_000_000 / Math.Max(totalPerOp, 1)));
        for (int i = 0; i < more; i++)
        {
            operation();
        }

        sampled = GC.GetTotalAllocatedBytes(precise: true) - sampled;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    sampled over {more} more ops ({sampled / more} B/op incl. the listener's own):"));
        foreach ((string type, (long samples, long size)) in listener.Samples.OrderByDescending(p => p.Value.Count).Take(20))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {samples,6} samples  {size,8} B each  {type}"));
        }
    }

    private sealed class AllocationTickListener : EventListener
    {
        private ConcurrentDictionary<string, (long Count, long Size)>? _samples;

        /// <summary>Samples by type: how many, and the size of the sampled object.</summary>
        public ConcurrentDictionary<string, (long Count, long Size)> Samples => _samples ??= new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                // GC keyword at verbose level: GCAllocationTick_V4 (every ~100 KB allocated, with the type).
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
            {
                return;
            }

            int index = eventData.PayloadNames.IndexOf("TypeName");
            string type = index >= 0 ? eventData.Payload?[index] as string ?? "?" : "?";
            index = eventData.PayloadNames.IndexOf("ObjectSize");
            long size = index >= 0 ? Convert.ToInt64(eventData.Payload?[index], CultureInfo.InvariantCulture) : 0;
            Samples.AddOrUpdate(type, static (_, size) => (1L, size), static (_, n, size) => (n.Count + 1, size), size);
        }
    }
}
