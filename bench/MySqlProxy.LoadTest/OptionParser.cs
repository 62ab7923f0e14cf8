using System.Globalization;

namespace MySqlProxy.LoadTest;

/// <summary>A command line that cannot be run; the message names the option.</summary>
internal sealed class OptionException : Exception
{
    public OptionException(string message) : base(message) { }

    public OptionException() { }

    public OptionException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Parses the load test's command line. Options take their value as the next argument or after '='
/// (<c>--connections 8</c>, <c>--connections=8</c>); list options accept commas and may be repeated.
/// </summary>
internal static class OptionParser
{
    public const string Usage = """
        MySqlProxy.LoadTest: sysbench-like load against named MySQL endpoints, alternating in rounds.

          --workloads LIST       point-select, read-only-tx, read-write, mixed-lag; NAME=DURATION gives one
                                 workload its own duration (default: point-select)
          --targets LIST         NAME=HOST:PORT,... e.g. direct=127.0.0.1:13306,proxy=127.0.0.1:6033
          --pid NAME=PID         process serving target NAME: its CPU per query (and RSS in --idle)
          --proxy-pid PID        same as --pid proxy=PID
          --connections N        connections, one worker thread each (8)
          --duration D           measured time per run (10s); or --count N events per run
          --warmup D             unmeasured time per run before it (2s)
          --rounds N             rounds; each round runs every target once, in turn (3)
          --no-rotate            every round starts with the first target (default: rotate the start)
          --user U --password P  client account (app/app); --database (app)
          --admin-user U --admin-password P   for --prepare and the replica lag control (admin/admin)
          --prepare              create and fill sbtest1..N on the primary, then wait for the replicas
          --tables N             sbtest tables (1); --table-size N rows each (10000)
          --primary HOST:PORT    primary for --prepare (default: the target named direct)
          --replicas LIST        HOST:PORT,... replicas to wait for and to lag
          --prepared             binary protocol (prepare once per connection) instead of text
          --lag-replica HOST:PORT   replica that mixed-lag delays (first of --replicas)
          --lag-mode delay|stop  MASTER_DELAY=N (delay, default) or STOP SLAVE SQL_THREAD (stop)
          --lag-delay N          seconds of MASTER_DELAY (1)
          --write-percent N      share of writes in mixed-lag (10)
          --writers N            mixed-lag: N connections only write, the others only read (0: all mix)
          --proxy-admin URL      proxy admin endpoint: statements per backend for target proxy
          --proxy-admin-token T  its bearer token (change-me); --proxy-target NAME (proxy)
          --idle N               idle-memory mode: N idle logins per target, RSS delta per connection
          --idle-settle D        wait before reading the RSS (3s)
          --json FILE --markdown FILE   write the results
          --title TEXT --note TEXT      heading and notes for the markdown report
          --seed N               random seed (42)
        Durations: 500ms, 10s, 2m, or a bare number of seconds.
        """;

    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new LoadTestOptions();
        var pendingPids = new List<(string Name, int Pid)>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new OptionException($"unexpected argument '{arg}'");
            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Count) throw new OptionException($"{name} needs a value");
                return args[++i];
            }

            void Flag()
            {
                if (inline is not null) throw new OptionException($"{name} takes no value");
            }

            switch (name)
            {
                case "--help" or "-h":
                    Flag(); o.Help = true; break;
                case "--workload" or "--workloads":
                    foreach (string w in SplitList(Value())) o.Workloads.Add(ParseWorkload(w, name));
                    break;
                case "--target" or "--targets":
                    foreach (string t in SplitList(Value())) o.Targets.Add(ParseTarget(t, name));
                    break;
                case "--pid":
                    foreach (string p in SplitList(Value())) pendingPids.Add(ParsePid(p, name));
                    break;
                case "--proxy-pid":
                    pendingPids.Add(("proxy", ParseInt(Value(), name, 1, int.MaxValue)));
                    break;
                case "--connections":
                    o.Connections = ParseInt(Value(), name, 1, 100_000); break;
                case "--duration":
                    o.Duration = ParseDuration(Value(), name); break;
                case "--count":
                    o.Count = ParseInt(Value(), name, 1, int.MaxValue); break;
                case "--warmup":
                    o.Warmup = ParseDuration(Value(), name, allowZero: true); break;
                case "--rounds":
                    o.Rounds = ParseInt(Value(), name, 1, 1000); break;
                case "--no-rotate":
                    Flag(); o.Rotate = false; break;
                case "--user":
                    o.User = Value(); break;
                case "--password":
                    o.Password = Value(); break;
                case "--database":
                    o.Database = Value(); break;
                case "--admin-user":
                    o.AdminUser = Value(); break;
                case "--admin-password":
                    o.AdminPassword = Value(); break;
                case "--prepare":
                    Flag(); o.Prepare = true; break;
                case "--prepared":
                    Flag(); o.Prepared = true; break;
                case "--tables":
                    o.Tables = ParseInt(Value(), name, 1, 1000); break;
                case "--table-size":
                    o.TableSize = ParseInt(Value(), name, 100, 100_000_000); break;
                case "--primary":
                    o.Primary = ParseEndpoint(Value(), name); break;
                case "--replica" or "--replicas":
                    foreach (string r in SplitList(Value())) o.Replicas.Add(ParseEndpoint(r, name));
                    break;
                case "--lag-replica":
                    o.LagReplica = ParseEndpoint(Value(), name); break;
                case "--lag-mode":
                    o.LagMode = Value() switch
                    {
                        "delay" => LagMode.Delay,
                        "stop" => LagMode.Stop,
                        string v => throw new OptionException($"{name}: '{v}' is neither delay nor stop"),
                    };
                    break;
                case "--lag-delay":
                    o.LagDelaySeconds = ParseInt(Value(), name, 1, 3600); break;
                case "--write-percent":
                    o.WritePercent = ParseInt(Value(), name, 0, 100); break;
                case "--writers":
                    o.Writers = ParseInt(Value(), name, 0, 100_000); break;
                case "--proxy-admin":
                    {
                        string v = Value();
                        if (!Uri.TryCreate(v, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                            throw new OptionException($"{name}: '{v}' is not an http URL");
                        o.ProxyAdminUrl = uri;
                        break;
                    }
                case "--proxy-admin-token":
                    o.ProxyAdminToken = Value(); break;
                case "--proxy-target":
                    o.ProxyTargetName = Value(); break;
                case "--idle":
                    o.Idle = ParseInt(Value(), name, 1, 1_000_000); break;
                case "--idle-settle":
                    o.IdleSettle = ParseDuration(Value(), name, allowZero: true); break;
                case "--json":
                    o.JsonPath = Value(); break;
                case "--markdown":
                    o.MarkdownPath = Value(); break;
                case "--title":
                    o.Title = Value(); break;
                case "--note":
                    o.Notes.Add(Value()); break;
                case "--seed":
                    o.Seed = ParseInt(Value(), name, int.MinValue, int.MaxValue); break;
                default:
                    throw new OptionException($"unknown option '{name}' (--help lists them)");
            }
        }

        if (o.Help) return o;
        if (o.Targets.Count == 0) throw new OptionException("--targets: give at least one NAME=HOST:PORT");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TargetSpec t in o.Targets)
        {
            if (!names.Add(t.Name)) throw new OptionException($"--targets: '{t.Name}' appears twice");
        }
        foreach ((string pidName, int pid) in pendingPids)
        {
            if (!names.Contains(pidName)) throw new OptionException($"--pid: no target is named '{pidName}'");
            o.Pids[pidName] = pid;
        }
        if (o.Workloads.Count == 0 && o.Idle is null) o.Workloads.Add(new WorkloadSpec("point-select", null));
        if (o.Writers > o.Connections) throw new OptionException($"--writers {o.Writers} is more than --connections {o.Connections}");
        if (o.Workloads.Exists(w => w.Name == "mixed-lag") && o.EffectiveLagReplica is null)
            throw new OptionException("--workloads mixed-lag needs --replicas or --lag-replica (the replica to lag)");
        return o;
    }

    /// <summary>Parses <c>500ms</c>, <c>10s</c>, <c>2m</c>, <c>1h</c> or a bare number of seconds.</summary>
    public static TimeSpan ParseDuration(string text, string option, bool allowZero = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        double factor = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal)) { factor = 0.001; t = t[..^2]; }
        else if (t.EndsWith('s')) { t = t[..^1]; }
        else if (t.EndsWith('m')) { factor = 60; t = t[..^1]; }
        else if (t.EndsWith('h')) { factor = 3600; t = t[..^1]; }
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) || double.IsInfinity(v))
            throw new OptionException($"{option}: '{text}' is not a duration (500ms, 10s, 2m)");
        TimeSpan d = TimeSpan.FromSeconds(v * factor);
        if (d < TimeSpan.Zero || (!allowZero && d == TimeSpan.Zero))
            throw new OptionException($"{option}: '{text}' must be {(allowZero ? "zero or more" : "more than zero")}");
        return d;
    }

    public static Endpoint ParseEndpoint(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) throw new OptionException($"{option}: '{text}' is not HOST:PORT");
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        int port = ParseInt(text[(colon + 1)..], option, 1, 65535);
        return new Endpoint(host, port);
    }

    public static TargetSpec ParseTarget(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new OptionException($"{option}: '{text}' is not NAME=HOST:PORT");
        string name = text[..eq];
        CheckName(name, option);
        Endpoint e = ParseEndpoint(text[(eq + 1)..], option);
        return new TargetSpec(name, e.Host, e.Port);
    }

    private static WorkloadSpec ParseWorkload(string text, string option)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        string name = eq < 0 ? text : text[..eq];
        if (Array.IndexOf(LoadTestOptions.KnownWorkloads, name) < 0)
            throw new OptionException($"{option}: unknown workload '{name}' (known: {string.Join(", ", LoadTestOptions.KnownWorkloads)})");
        TimeSpan? duration = eq < 0 ? null : ParseDuration(text[(eq + 1)..], option);
        return new WorkloadSpec(name, duration);
    }

    private static (string, int) ParsePid(string text, string option)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new OptionException($"{option}: '{text}' is not NAME=PID");
        string name = text[..eq];
        CheckName(name, option);
        return (name, ParseInt(text[(eq + 1)..], option, 1, int.MaxValue));
    }

    private static void CheckName(string name, string option)
    {
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
                throw new OptionException($"{option}: name '{name}' may hold only letters, digits, '-' and '_'");
        }
    }

    private static int ParseInt(string text, string option, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw new OptionException($"{option}: '{text}' is not a whole number");
        if (v < min || v > max) throw new OptionException($"{option}: {v} is out of range ({min}..{max})");
        return v;
    }

    private static string[] SplitList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
