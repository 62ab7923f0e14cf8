using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Backups.Crypto;

namespace MySqlProxy.Cli;

/// <summary>
/// <c>mysqlproxy backup ...</c>: the backup operations of the admin endpoint on the command line, over HTTP
/// (URL and token from proxy.yaml's listen.admin and admin.token, or --url/--token), waiting for the job with a
/// progress bar on a terminal.
/// </summary>
internal static class BackupCommand
{
    private const string Usage = """
        usage: mysqlproxy backup <command> [options]

        commands:
          full | incremental           take a backup of the primary (waits; --no-wait returns the job id)
          list                         backups: label, type, parent, GTID, LSNs, sizes, verified state
          show LABEL                   one backup's manifest
          verify LABEL                 restore it into a scratch server and check every table
          restore --target-dir DIR [--backup LABEL] [--time 2026-11-24T10:15:00Z | --gtid 0-1-42]
                  [--port N] [--force]  restore into a new datadir (and start it on 127.0.0.1:N)
          archive [--no-rotate]        archive closed binlogs now (closing the open one first)
          status                       the binlog archive: range and last recoverable time
          keygen                       print a new random encryption key (base64)

        options: --config proxy.yaml  --url http://127.0.0.1:6080  --token T (or MYSQLPROXY_ADMIN_TOKEN)
                 --no-wait  --json
        Exit status: 0 done, 1 the job or request failed, 2 bad command line or configuration.
        """;

    private static readonly HashSet<string> Flags = ["no-wait", "json", "force", "no-rotate", "help"];

    public static async Task<int> RunAsync(string[] args)
    {
        CliArguments cli;
        try
        {
            cli = new CliArguments(args, Flags);
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy backup: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        if (cli.Has("help") || cli.Positional.Count == 0)
        {
            Console.WriteLine(Usage);
            return cli.Has("help") ? 0 : 2;
        }

        string command = cli.Positional[0];
        if (command == "keygen")
        {
            Console.WriteLine(Convert.ToBase64String(BackupKey.Generate().Material));
            return 0;
        }

        Uri baseUrl;
        string token;
        try
        {
            (baseUrl, token) = Endpoint(cli);
        }
        catch (Exception ex) when (ex is CliException or ConfigurationException or InvalidDataException or FormatException)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy backup: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            return command switch
            {
                "full" or "incremental" => await StartAsync(http, cli, HttpMethod.Post, "api/backups", new JsonObject { ["type"] = command }).ConfigureAwait(false),
                "list" => await ListAsync(http, cli).ConfigureAwait(false),
                "show" => await ShowAsync(http, $"api/backups/{Uri.EscapeDataString(Arg(cli, 1, "LABEL"))}").ConfigureAwait(false),
                "verify" => await StartAsync(http, cli, HttpMethod.Post, $"api/backups/{Uri.EscapeDataString(Arg(cli, 1, "LABEL"))}/verify", null).ConfigureAwait(false),
                "restore" => await StartAsync(http, cli, HttpMethod.Post, "api/restores", RestoreBody(cli)).ConfigureAwait(false),
                "archive" => await StartAsync(http, cli, HttpMethod.Post, "api/backups/archive", new JsonObject { ["rotate"] = !cli.Has("no-rotate") }).ConfigureAwait(false),
                "status" => await ShowAsync(http, "api/backups/archive").ConfigureAwait(false),
                _ => throw new CliException($"unknown command '{command}' (mysqlproxy backup --help)"),
            };
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy backup: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy backup: cannot reach the admin endpoint {baseUrl}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static (Uri Url, string Token) Endpoint(CliArguments cli)
    {
        string? url = cli.Get("url");
        string? token = cli.Get("token") ?? Environment.GetEnvironmentVariable("MYSQLPROXY_ADMIN_TOKEN");
        string configPath = cli.Get("config") ?? "proxy.yaml";
        if ((url is null || token is null) && File.Exists(configPath))
        {
            IConfiguration configuration = new ConfigurationBuilder()
                .AddYamlFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false)
                .AddEnvironmentVariables("MYSQLPROXY__")
                .Build();
            var options = new ProxyOptions();
            configuration.Bind(options);
            url ??= $"http://{options.Listen.Admin}";
            token ??= options.Admin.Token;
        }
        else if (url is null && cli.Has("config"))
        {
            throw new CliException($"--config: file '{configPath}' not found");
        }

        if (url is null)
        {
            throw new CliException("no admin endpoint: give --url (or --config proxy.yaml)");
        }

        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out Uri? uri))
        {
            throw new CliException($"--url: '{url}' is not a URL");
        }

        return (uri, token ?? string.Empty);
    }

    private static string Arg(CliArguments cli, int index, string name) =>
        cli.Positional.Count > index ? cli.Positional[index] : throw new CliException($"{cli.Positional[0]}: {name} is required");

    private static JsonObject RestoreBody(CliArguments cli)
    {
        var body = new JsonObject { ["target_dir"] = cli.Get("target-dir") is { } dir ? Path.GetFullPath(dir) : throw new CliException("restore: --target-dir is required") };
        if (cli.Get("backup") is { } backup)
        {
            body["backup"] = backup;
        }

        if (cli.Get("time") is { } time)
        {
            body["time"] = time;
        }

        if (cli.Get("gtid") is { } gtid)
        {
            body["gtid"] = gtid;
        }

        if (cli.Get("port") is { } port)
        {
            body["port"] = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : throw new CliException($"--port: '{port}' is not a port");
        }

        if (cli.Has("force"))
        {
            body["force"] = true;
        }

        return body;
    }

    private static async Task<int> ListAsync(HttpClient http, CliArguments cli)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri("api/backups", UriKind.Relative)).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return await FailAsync(response, text).ConfigureAwait(false);
        }

        if (cli.Has("json"))
        {
            Console.WriteLine(text);
            return 0;
        }

        JsonArray rows = JsonNode.Parse(text)!.AsArray();
        Console.WriteLine($"{"LABEL",-36} {"TYPE",-11} {"GTID",-20} {"LSN",-21} {"STORED",10} {"VERIFIED",-10}");
        foreach (JsonNode? row in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row!["label"],-36} {row["type"],-11} {row["gtid"],-20} {$"{row["from_lsn"]}..{row["to_lsn"]}",-21} {Bytes(row["stored_bytes"]!.GetValue<long>()),10} {row["verified"],-10}"));
        }

        return 0;
    }

    private static async Task<int> ShowAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return await FailAsync(response, text).ConfigureAwait(false);
        }

        Console.WriteLine(JsonNode.Parse(text)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static async Task<int> StartAsync(HttpClient http, CliArguments cli, HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using HttpResponseMessage response = await http.SendAsync(request).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return await FailAsync(response, text).ConfigureAwait(false);
        }

        string jobId = JsonNode.Parse(text)!["jobId"]!.GetValue<string>();
        if (cli.Has("no-wait"))
        {
            Console.WriteLine(cli.Has("json") ? text : jobId);
            return 0;
        }

        return await WaitAsync(http, jobId, cli.Has("json")).ConfigureAwait(false);
    }

    /// <summary>Polls the job until it ends: a progress bar on a terminal, one line per step otherwise. Ctrl-C cancels the job.</summary>
    private static async Task<int> WaitAsync(HttpClient http, string jobId, bool json)
    {
        bool tty = !Console.IsOutputRedirected;
        using var interrupted = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            string? lastStep = null;
            Console.Error.WriteLine($"job {jobId}");
            while (true)
            {
                if (interrupted.IsCancellationRequested)
                {
                    using HttpResponseMessage _ = await http.DeleteAsync(new Uri($"api/jobs/{Uri.EscapeDataString(jobId)}", UriKind.Relative)).ConfigureAwait(false);
                    Console.Error.WriteLine($"{(tty ? "\n" : string.Empty)}cancelling job {jobId}");
                    interrupted.Dispose();
                    return 130;
                }

                using HttpResponseMessage response = await http.GetAsync(new Uri($"api/jobs/{Uri.EscapeDataString(jobId)}", UriKind.Relative)).ConfigureAwait(false);
                string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    return await FailAsync(response, text).ConfigureAwait(false);
                }

                JsonNode job = JsonNode.Parse(text)!;
                string state = job["state"]!.GetValue<string>();
                string step = job["step"]?.GetValue<string>() ?? string.Empty;
                if (tty)
                {
                    Console.Error.Write("\r" + ProgressLine(job).PadRight(Math.Max(10, SafeWidth() - 1))[..Math.Max(10, SafeWidth() - 1)]);
                }
                else if (step != lastStep)
                {
                    Console.Error.WriteLine(step);
                }

                lastStep = step;
                if (state is "succeeded" or "failed" or "cancelled")
                {
                    if (tty)
                    {
                        Console.Error.WriteLine();
                    }

                    if (state == "succeeded")
                    {
                        Console.WriteLine(json ? text : job["result"]?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "done");
                        return 0;
                    }

                    await Console.Error.WriteLineAsync($"job {jobId} {state} at step '{job["failed_step"]}': {job["error"]}").ConfigureAwait(false);
                    return 1;
                }

                try
                {
                    await Task.Delay(500, interrupted.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    internal static string ProgressLine(JsonNode job)
    {
        double? percent = job["percent"]?.GetValue<double>();
        long bytes = job["bytes"]?.GetValue<long>() ?? 0;
        double? rate = job["bytes_per_second"]?.GetValue<double>();
        double? eta = job["eta_seconds"]?.GetValue<double>();
        var line = new StringBuilder();
        const int width = 24;
        int filled = percent is { } p ? (int)Math.Round(p / 100 * width) : 0;
        line.Append('[').Append('#', filled).Append('.', width - filled).Append("] ");
        line.Append(percent is { } pc ? string.Create(CultureInfo.InvariantCulture, $"{pc,5:0.0}% ") : "   ?  ");
        line.Append(Bytes(bytes));
        if (rate is { } r)
        {
            line.Append(CultureInfo.InvariantCulture, $"  {Bytes((long)r)}/s");
        }

        if (eta is { } e)
        {
            line.Append(CultureInfo.InvariantCulture, $"  ETA {TimeSpan.FromSeconds(Math.Round(e)):g}");
        }

        line.Append("  ").Append(job["step"]?.GetValue<string>());
        return line.ToString();
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }

    internal static string Bytes(long n) => n switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{n} B"),
        < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{n / 1024.0:0.0} KiB"),
        < 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{n / 1048576.0:0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{n / 1073741824.0:0.00} GiB"),
    };

    private static async Task<int> FailAsync(HttpResponseMessage response, string text)
    {
        string detail = text;
        try
        {
            JsonNode? problem = JsonNode.Parse(text);
            detail = problem?["detail"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>() ?? text;
        }
        catch (JsonException)
        {
        }

        await Console.Error.WriteLineAsync($"mysqlproxy backup: {(int)response.StatusCode} {response.ReasonPhrase}: {detail}").ConfigureAwait(false);
        return 1;
    }
}
