using MySqlProxy.LoadTest.Measurement;

namespace MySqlProxy.LoadTest.Tests;

public sealed class ProcFsTests
{
    // A real line (proc_pid_stat(5)): utime is field 14, stime field 15.
    private const string Stat =
        "6827 (dotnet) S 1 6826 6826 0 -1 4194304 25836 0 0 0 1234 567 0 0 20 0 21 0 11800 3449356288 26011 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

    [Fact]
    public void TryParseStat_RealLine_ReadsUtimeAndStime()
    {
        Assert.True(ProcFs.TryParseStat(Stat, out CpuTicks t));
        Assert.Equal(1234, t.User);
        Assert.Equal(567, t.System);
        Assert.Equal(1801, t.Total);
    }

    [Fact]
    public void TryParseStat_CommWithSpacesAndParentheses_CountsFromTheLastParenthesis()
    {
        string line = Stat.Replace("(dotnet)", "(a) b (c d))", StringComparison.Ordinal);
        Assert.True(ProcFs.TryParseStat(line, out CpuTicks t));
        Assert.Equal(new CpuTicks(1234, 567), t);
    }

    [Theory]
    [InlineData("")]
    [InlineData("123 (x) S 1 2")]
    [InlineData("no parenthesis here")]
    [InlineData("1 (x) S 1 1 1 0 -1 0 0 0 0 0 12a 5 0")]
    public void TryParseStat_Malformed_ReturnsFalse(string line)
    {
        Assert.False(ProcFs.TryParseStat(line, out _));
    }

    [Fact]
    public void TryParseStat_OwnProcess_Works()
    {
        CpuTicks? t = ProcFs.ReadProcessTicks(Environment.ProcessId);
        if (!OperatingSystem.IsLinux()) return;
        Assert.NotNull(t);
        Assert.True(t.Value.Total >= 0);
        Assert.InRange(ProcFs.ClockTicksPerSecond, 1, 10_000);
    }

    [Fact]
    public void CpuTicks_Subtract_IsPerField()
    {
        Assert.Equal(new CpuTicks(10, 3), new CpuTicks(110, 23) - new CpuTicks(100, 20));
    }

    [Fact]
    public void ParseVmRssKiB_StatusFile_ReadsKiB()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t 3449356 kB\nVmRSS:\t  104044 kB\nRssAnon:\t   60000 kB\n";
        Assert.Equal(104044, ProcFs.ParseVmRssKiB(status));
        Assert.Null(ProcFs.ParseVmRssKiB("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        Assert.Null(ProcFs.ParseVmRssKiB("VmRSS:\t 12 MB\n"));
    }

    [Fact]
    public void TryParseMachineStat_FirstLine_SplitsBusyAndIdle()
    {
        const string stat = "cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 50 2 25 500 10 0 1 1 0 0\n";
        Assert.True(ProcFs.TryParseMachineStat(stat, out MachineTicks t));
        Assert.Equal(100 + 5 + 50 + 1 + 2 + 3, t.Busy);
        Assert.Equal(1020, t.Idle);
        var later = new MachineTicks(t.Busy + 150, t.Idle + 50);
        Assert.Equal(0.75, later.BusySince(t), 3);
        Assert.False(ProcFs.TryParseMachineStat("intr 1 2 3\n", out _));
    }
}
