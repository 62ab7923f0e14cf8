using System.Globalization;
using System.Runtime.InteropServices;

namespace MySqlProxy.LoadTest.Measurement;

/// <summary>CPU time of a process in clock ticks (utime and stime of /proc/PID/stat).</summary>
internal readonly record struct CpuTicks(long User, long System)
{
    public long Total => User + System;

    public static CpuTicks operator -(CpuTicks a, CpuTicks b) => new(a.User - b.User, a.System - b.System);

    public CpuTicks Subtract(CpuTicks other) => this - other;
}

/// <summary>Machine-wide CPU time from the first line of /proc/stat, in clock ticks.</summary>
internal readonly record struct MachineTicks(long Busy, long Idle)
{
    public long Total => Busy + Idle;

    /// <summary>Share of the machine's CPU that was busy between <paramref name="before"/> and this.</summary>
    public double BusySince(MachineTicks before)
    {
        long total = Total - before.Total;
        return total <= 0 ? 0 : (double)(Busy - before.Busy) / total;
    }
}

/// <summary>Reading and parsing the Linux /proc files the load test needs.</summary>
internal static partial class ProcFs
{
    private const int ScClkTck = 2;   // _SC_CLK_TCK in glibc's <bits/confname.h>
    private static readonly Lazy<long> s_clockTicks = new(ReadClockTicks);

    /// <summary>Clock ticks per second (sysconf(_SC_CLK_TCK), 100 on Linux/x86-64; 100 if it cannot be read).</summary>
    public static long ClockTicksPerSecond => s_clockTicks.Value;

    /// <summary>
    /// utime and stime out of a /proc/PID/stat line. The second field (comm) is in parentheses and may
    /// itself contain spaces and parentheses, so fields are counted from the last ')'.
    /// See proc_pid_stat(5): utime is field 14, stime field 15 (1-based).
    /// </summary>
    public static bool TryParseStat(ReadOnlySpan<char> stat, out CpuTicks ticks)
    {
        ticks = default;
        int close = stat.LastIndexOf(')');
        if (close < 0) return false;
        ReadOnlySpan<char> rest = stat[(close + 1)..];
        // After ')' come fields 3 (state), 4, ...: utime is the 12th of them, stime the 13th.
        long utime = -1, stime = -1;
        int field = 3;
        foreach (Range r in rest.Split(' '))
        {
            ReadOnlySpan<char> token = rest[r];
            if (token.IsEmpty) continue;
            if (field == 14 && !long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out utime)) return false;
            if (field == 15)
            {
                if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out stime)) return false;
                break;
            }
            field++;
        }
        if (utime < 0 || stime < 0) return false;
        ticks = new CpuTicks(utime, stime);
        return true;
    }

    /// <summary>The resident set size in KiB from /proc/PID/status ("VmRSS:   12345 kB"); null when absent.</summary>
    public static long? ParseVmRssKiB(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (Range r in status.AsSpan().Split('\n'))
        {
            ReadOnlySpan<char> line = status.AsSpan()[r];
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            ReadOnlySpan<char> value = line["VmRSS:".Length..].Trim();
            int space = value.IndexOf(' ');
            if (space >= 0)
            {
                ReadOnlySpan<char> unit = value[(space + 1)..].Trim();
                if (!unit.Equals("kB", StringComparison.OrdinalIgnoreCase)) return null;
                value = value[..space];
            }
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib : null;
        }
        return null;
    }

    /// <summary>Busy and idle ticks from the aggregate "cpu" line of /proc/stat (idle = idle + iowait).</summary>
    public static bool TryParseMachineStat(string procStat, out MachineTicks ticks)
    {
        ArgumentNullException.ThrowIfNull(procStat);
        ticks = default;
        ReadOnlySpan<char> text = procStat.AsSpan();
        int nl = text.IndexOf('\n');
        ReadOnlySpan<char> line = nl >= 0 ? text[..nl] : text;
        if (!line.StartsWith("cpu ", StringComparison.Ordinal)) return false;
        long busy = 0, idle = 0;
        int column = 0;
        foreach (Range r in line[4..].Split(' '))
        {
            ReadOnlySpan<char> token = line[4..][r];
            if (token.IsEmpty) continue;
            if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long v)) return false;
            // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
            if (column is 3 or 4) idle += v;
            else if (column < 8) busy += v;
            column++;
        }
        if (column < 4) return false;
        ticks = new MachineTicks(busy, idle);
        return true;
    }

    public static CpuTicks? ReadProcessTicks(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return TryParseStat(text, out CpuTicks ticks) ? ticks : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static long? ReadRssKiB(int pid)
    {
        try
        {
            return ParseVmRssKiB(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static MachineTicks? ReadMachineTicks()
    {
        try
        {
            return TryParseMachineStat(File.ReadAllText("/proc/stat"), out MachineTicks t) ? t : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average, or null off Linux.</summary>
    public static double? ReadLoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            return space > 0 && double.TryParse(text.AsSpan(0, space), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool ProcessExists(int pid) => File.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

    private static long ReadClockTicks()
    {
        try
        {
            long v = SysConf(ScClkTck);
            return v > 0 ? v : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
        catch (EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
