using BenchmarkDotNet.Running;
using MySqlProxy.Benchmarks;

// Diagnostic modes (plain loops, no BenchmarkDotNet); see bench/results/2026-11-24-micro.md.
switch (args.Length > 0 ? args[0] : string.Empty)
{
    case "--alloc-probe":
        return AllocationProbe.Run(args[1..]);
    case "--alloc-stacks":
        return AllocationStacks.Run(args[1..]);
    case "--cpu-stacks":
        return AllocationStacks.RunCpu(args[1..]);
    case "--cpu-time":
        return CpuTimeProbe.Run();
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
        return 0;
}
