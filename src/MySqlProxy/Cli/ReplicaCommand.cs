using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace MySqlProxy.Cli;

/// <summary>
/// <c>mysqlproxy replica add|status|cancel</c>: sets up a replica through a running proxy's admin endpoint
/// (<c>POST /api/replicas</c>) and follows the job (<c>GET /api/jobs/{id}</c>), with a progress bar on a terminal.
/// Ctrl-C cancels the job (<c>DELETE /api/jobs/{id}</c>) and waits for it to end; a second Ctrl-C leaves at once.
/// </summary>
internal static class ReplicaCommand
{
    public const int Succeeded = 0;
    public const int JobFailed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;

    private const string Help = """
        usage: mysqlproxy replica add --name NAME --host HOST --port PORT [options]
               mysqlproxy replica status JOB_ID
               mysqlproxy replica cancel JOB_ID

        add: turns an empty MariaDB server into a replica that serves reads, through the running proxy's
        admin endpoint, and follows the job until it ends (Ctrl-C cancels it).
          --weight N               share of reads once caught up (default 100)
          --max-lag DURATION       its own lag limit (default routing.max_replica_lag)
          --seed auto|logical|physical   (default auto: physical when --datadir and --defaults-file are given)
          --datadir DIR            physical seed: the new server's datadir on the proxy's host
          --defaults-file FILE     physical seed: the new server's my.cnf on the proxy's host
          --user USER              login on the new server (default replica_setup.user; the password
                                   comes from MYSQLPROXY_TARGET_PASSWORD, else replica_setup.password)
          --master-host HOST, --master-port PORT   the primary as the new server reaches it
          --parallel N             tables copied at once (logical seed)
          --catch-up-timeout DURATION
          --detach                 print the job id and return at once

        Admin endpoint: --admin-url URL (or MYSQLPROXY_ADMIN_URL), --token TOKEN (or MYSQLPROXY_ADMIN_TOKEN);
        by default both come from listen.admin and admin.token in --config FILE (default ./proxy.yaml).

        Exit status: 0 succeeded, 1 the job failed or was cancelled, 2 bad usage or refused request,
        3 the admin endpoint is unreachable.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            await output.WriteLineAsync(Help).ConfigureAwait(false);
            return args.Length == 0 ? Usage : Succeeded;
        }

        Dictionary<string, string> options;
        List<string> positional;
        try
        {
            (options, positional) = Parse(args[1..]);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"mysqlproxy replica: {ex.Message}").ConfigureAwait(false);
            return Usage;
        }

        (Uri? url, string? token, string? problem) = Endpoint(options);
        if (url is null)
        {
            await error.WriteLineAsync($"mysqlproxy replica: {problem}").ConfigureAwait(false);
            return Usage;
        }

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            switch (args[0])
            {
                case "add":
                    return await AddAsync(http, options, output, error).ConfigureAwait(false);
                case "status" when positional.Count == 1:
                    return await FollowAsync(http, positional[0], follow: false, output, error).ConfigureAwait(false);
                case "cancel" when positional.Count == 1:
                    using (HttpResponseMessage response = await http.DeleteAsync(JobPath(positional[0])).ConfigureAwait(false))
                    {
                        if (!response.IsSuccessStatusCode)
                        {
                            await error.WriteLineAsync($"mysqlproxy replica: {await ProblemAsync(response).ConfigureAwait(false)}").ConfigureAwait(false);
                            return Usage;
                        }
                    }

                    return await FollowAsync(http, positional[0], follow: true, output, error).ConfigureAwait(false);
                default:
                    await error.WriteLineAsync(Help).ConfigureAwait(false);
                    return Usage;
            }
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"mysqlproxy replica: the admin endpoint {url} is unreachable: {ex.Message}").ConfigureAwait(false);
            return Unreachable;
        }
    }

    private static async Task<int> AddAsync(HttpClient http, Dictionary<string, string> options, TextWriter output, TextWriter error)
    {
        var body = new JsonObject();
        foreach ((string option, string field, bool number) in new[]
        {
            ("name", "name", false), ("host", "host", false), ("port", "port", true), ("weight", "weight", true), ("max-lag", "max_lag", false),
            ("seed", "seed", false), ("datadir", "datadir", false), ("defaults-file", "defaults_file", false), ("user", "user", false),
            ("master-host", "master_host", false), ("master-port", "master_port", true), ("parallel", "parallel", true),
            ("catch-up-timeout", "catch_up_timeout", false),
        })
        {
            if (!options.TryGetValue(option, out string? value))
            {
                continue;
            }

            if (number)
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                {
                    await error.WriteLineAsync($"mysqlproxy replica: --{option} must be a number").ConfigureAwait(false);
                    return Usage;
                }

                body[field] = n;
            }
            else
            {
                body[field] = value;
            }
        }

        if (Environment.GetEnvironmentVariable("MYSQLPROXY_TARGET_PASSWORD") is { Length: > 0 } password)
        {
            body["password"] = password;
        }

        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync("/api/replicas", content).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            await error.WriteLineAsync($"mysqlproxy replica add: refused ({(int)response.StatusCode}): {await ProblemAsync(response).ConfigureAwait(false)}").ConfigureAwait(false);
            return Usage;
        }

        using JsonDocument accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        string id = accepted.RootElement.GetProperty("jobId").GetString()!;
        await output.WriteLineAsync($"job {id}").ConfigureAwait(false);
        return options.ContainsKey("detach") ? Succeeded : await FollowAsync(http, id, follow: true, output, error).ConfigureAwait(false);
    }

    /// <summary>Shows a job; with <paramref name="follow"/>, until it ends (progress bar on a terminal, log lines otherwise).</summary>
    private static async Task<int> FollowAsync(HttpClient http, string id, bool follow, TextWriter output, TextWriter error)
    {
        bool tty = follow && !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        int shown = 0;
        int interrupts = 0;
        using var leave = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            if (Interlocked.Increment(ref interrupts) == 1)
            {
                _ = http.DeleteAsync(JobPath(id));
            }
            else
            {
                leave.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            while (true)
            {
                using HttpResponseMessage response = await http.GetAsync(JobPath(id)).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    await error.WriteLineAsync($"mysqlproxy replica: {await ProblemAsync(response).ConfigureAwait(false)}").ConfigureAwait(false);
                    return Usage;
                }

                using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                JsonElement job = document.RootElement;
                JsonElement log = job.GetProperty("log");
                if (tty && log.GetArrayLength() > shown)
                {
                    await output.WriteAsync("\r\u001b[2K").ConfigureAwait(false);
                }

                for (; shown < log.GetArrayLength(); shown++)
                {
                    await output.WriteLineAsync($"  {log[shown].GetProperty("message").GetString()}").ConfigureAwait(false);
                }

                string state = job.GetProperty("state").GetString() ?? "?";
                bool ended = state is "succeeded" or "failed" or "cancelled";
                if (tty && !ended)
                {
                    await output.WriteAsync("\r\u001b[2K" + ProgressLine(job, Math.Max(20, Console.WindowWidth - 1))).ConfigureAwait(false);
                }

                if (ended || !follow)
                {
                    if (tty)
                    {
                        await output.WriteAsync("\r\u001b[2K").ConfigureAwait(false);
                    }

                    await output.WriteLineAsync(Summary(job)).ConfigureAwait(false);
                    return state == "succeeded" || !ended ? Succeeded : JobFailed;
                }

                try
                {
                    await Task.Delay(500, leave.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await output.WriteLineAsync($"\nleft job {id} (it goes on being cancelled; mysqlproxy replica status {id})").ConfigureAwait(false);
                    return JobFailed;
                }
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>One line: bar, percent, step, bytes, rate, ETA.</summary>
    internal static string ProgressLine(JsonElement job, int width)
    {
        double? percent = job.TryGetProperty("percent", out JsonElement p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null;
        string step = job.GetProperty("step").GetString() ?? string.Empty;
        long bytes = job.TryGetProperty("bytes", out JsonElement b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : 0;
        var text = new StringBuilder();
        const int Bar = 24;
        int filled = (int)Math.Round((percent ?? 0) / 100 * Bar);
        text.Append('[').Append('#', filled).Append('.', Bar - filled).Append("] ");
        text.Append(percent is double d ? d.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(5) + "% " : "   -- ");
        text.Append(step);
        if (bytes > 0)
        {
            text.Append("  ").Append(Size(bytes));
            if (job.TryGetProperty("total_bytes", out JsonElement t) && t.ValueKind == JsonValueKind.Number)
            {
                text.Append('/').Append(Size(t.GetInt64()));
            }
        }

        if (job.TryGetProperty("bytes_per_second", out JsonElement r) && r.ValueKind == JsonValueKind.Number)
        {
            text.Append("  ").Append(Size((long)r.GetDouble())).Append("/s");
        }

        if (job.TryGetProperty("eta_seconds", out JsonElement e) && e.ValueKind == JsonValueKind.Number)
        {
            text.Append("  ETA ").Append(TimeSpan.FromSeconds(Math.Ceiling(e.GetDouble())).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture));
        }

        return text.Length > width ? text.ToString(0, width) : text.ToString();
    }

    private static string Summary(JsonElement job)
    {
        string state = job.GetProperty("state").GetString() ?? "?";
        string id = job.GetProperty("id").GetString() ?? "?";
        if (state == "succeeded" && job.TryGetProperty("result", out JsonElement result) && result.ValueKind == JsonValueKind.Object)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"succeeded: replica {result.GetProperty("name").GetString()} serves reads ({result.GetProperty("seed").GetString()} seed at GTID {result.GetProperty("gtid_position").GetString()}, {Size(result.GetProperty("bytes").GetInt64())}, {result.GetProperty("seconds").GetDouble():0.0} s)");
        }

        if (state is "failed" or "cancelled")
        {
            return $"{state} at step '{job.GetProperty("failed_step").GetString()}': {job.GetProperty("error").GetString()}";
        }

        return $"job {id}: {state}, step '{job.GetProperty("step").GetString()}'";
    }

    internal static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string JobPath(string id) => $"/api/jobs/{Uri.EscapeDataString(id)}";

    private static async Task<string> ProblemAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        try
        {
            using JsonDocument problem = JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("detail", out JsonElement detail) ? detail.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return text.Length > 0 ? text : response.ReasonPhrase ?? response.StatusCode.ToString();
        }
    }

    /// <summary>--name value pairs (flags without a value: --detach) and the other words.</summary>
    internal static (Dictionary<string, string> Options, List<string> Positional) Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (name != "detach")
            {
                value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value");
            }

            if (name == "password")
            {
                throw new ArgumentException("--password would show the password to everyone on this host (ps); set MYSQLPROXY_TARGET_PASSWORD instead");
            }

            options[name] = value ?? "true";
        }

        return (options, positional);
    }

    /// <summary>The admin endpoint's address and token: options, then environment, then the configuration file.</summary>
    private static (Uri? Url, string? Token, string? Problem) Endpoint(Dictionary<string, string> options)
    {
        string? url = options.GetValueOrDefault("admin-url") ?? Environment.GetEnvironmentVariable("MYSQLPROXY_ADMIN_URL");
        string? token = options.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable("MYSQLPROXY_ADMIN_TOKEN");
        string config = options.GetValueOrDefault("config") ?? "proxy.yaml";
        if ((url is null || token is null) && File.Exists(config))
        {
            IConfigurationRoot file = new ConfigurationBuilder().AddYamlFile(Path.GetFullPath(config), optional: false).Build();
            url ??= file["listen:admin"] is { Length: > 0 } admin ? "http://" + admin : null;
            token ??= file["admin:token"];
        }
        else if (url is null && options.ContainsKey("config"))
        {
            return (null, null, $"--config: file '{config}' not found");
        }

        url ??= "http://127.0.0.1:6080";
        return Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) ? (parsed, token, null) : (null, null, $"--admin-url: '{url}' is not a URL");
    }
}
