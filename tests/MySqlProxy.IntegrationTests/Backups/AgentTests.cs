using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlProxy.Admin;
using MySqlProxy.IntegrationTests.Clients;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Backups;

/// <summary>
/// The agent as a separate process on loopback (<c>mysqlproxy agent</c>), the proxy's admin endpoint forwarding
/// the backup paths to it (YARP), and the <c>mysqlproxy backup</c> command line against the proxy.
/// </summary>
public sealed class AgentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Executable => Path.Combine(AppContext.BaseDirectory, "mysqlproxy.dll");

    [Fact(Timeout = 300_000)]
    public async Task ProxyForwardsToTheAgent_AndTheCliDrivesBackupAndRestore()
    {
        await Topology.EnsureUpAsync();
        await using var h = new BackupHarness("agent");
        await h.CreateTablesAsync();
        await h.WriteAsync("a");

        int agentPort = BackupHarness.FreePort();
        string config = Path.Combine(h.Root, "agent.yaml");
        await File.WriteAllTextAsync(config, $"""
            listen: {"{"} mysql: "127.0.0.1:0", admin: "127.0.0.1:0" {"}"}
            backends:
              primary: {"{"} name: db1, host: "{Topology.Primary.Address}", port: {Topology.Primary.Port} {"}"}
            users:
              - {"{"} user: app, password: app {"}"}
            backups:
              repository: {"{"} path: "{h.Options.Repository.Path}" {"}"}
              encryption: {"{"} key_file: "{h.KeyFile}" {"}"}
              user: admin
              password: admin
              work_dir: "{h.Options.WorkDir}"
            """, Ct);

        using Process agent = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Executable, "agent", "--listen", $"127.0.0.1:{agentPort}", "--token", "agent-secret", "--config", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        _ = agent.StandardOutput.ReadToEndAsync(Ct);
        _ = agent.StandardError.ReadToEndAsync(Ct);
        try
        {
            using var probe = new HttpClient();
            await WaitUntilAsync(async () => (await probe.GetAsync($"http://127.0.0.1:{agentPort}/healthz", Ct)).IsSuccessStatusCode, agent);

            await using ProxyInstance proxy = await ProxyInstance.StartAsync(o =>
            {
                o.Admin.Token = "admin-secret";
                o.Backups.Agent.Url = $"http://127.0.0.1:{agentPort}";
                o.Backups.Agent.Token = "agent-secret";
            });
            await using var admin = new AdminServer(proxy.Listener, proxy.Options, new AdminServerOptions(), NullLoggerFactory.Instance);
            await admin.StartAsync(Ct);
            string url = admin.BaseAddress!.ToString();
            using var http = new HttpClient { BaseAddress = admin.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "admin-secret");

            // The agent refuses the proxy's operator token: only the proxy (with the agent token) gets through.
            using (var direct = new HttpClient())
            {
                direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "admin-secret");
                Assert.Equal(HttpStatusCode.Unauthorized, (await direct.GetAsync($"http://127.0.0.1:{agentPort}/api/backups", Ct)).StatusCode);
            }

            // A bad body is answered by the agent through the proxy, naming the field.
            HttpResponseMessage bad = await http.PostAsJsonAsync("api/backups", new { type = "weekly" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("\"type\"", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            // CLI: a full backup through the proxy, waited for.
            ProcessResult full = await Cli(["backup", "full", "--url", url, "--token", "admin-secret"]);
            Assert.True(full.ExitCode == 0, full.ToString());
            Assert.Contains("\"label\"", full.StdOut, StringComparison.Ordinal);
            Dictionary<string, long> atFull = await h.PrimaryChecksumsAsync();

            // HTTP: an incremental, its progress read through the proxy's /api/jobs/{id} (forwarded).
            await h.WriteAsync("b");
            HttpResponseMessage started = await http.PostAsJsonAsync("api/backups", new { type = "incremental" }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            JsonNode accepted = JsonNode.Parse(await started.Content.ReadAsStringAsync(Ct))!;
            string location = accepted["location"]!.GetValue<string>();
            JsonNode job;
            do
            {
                await Task.Delay(300, Ct);
                job = JsonNode.Parse(await http.GetStringAsync(location.TrimStart('/'), Ct))!;
            }
            while (job["state"]!.GetValue<string>() is "queued" or "running");
            Assert.Equal("succeeded", job["state"]!.GetValue<string>());
            Assert.True(job["bytes"]!.GetValue<long>() > 0);
            Dictionary<string, long> atIncremental = await h.PrimaryChecksumsAsync();

            // CLI list shows both, the incremental's parent is the full.
            ProcessResult list = await Cli(["backup", "list", "--json", "--url", url, "--token", "admin-secret"]);
            Assert.True(list.ExitCode == 0, list.ToString());
            JsonArray backups = JsonNode.Parse(list.StdOut)!.AsArray();
            Assert.Equal(2, backups.Count);
            Assert.Equal("full", backups[0]!["type"]!.GetValue<string>());
            Assert.Equal(backups[0]!["label"]!.GetValue<string>(), backups[1]!["parent"]!.GetValue<string>());

            // Strict PITR refusal at request time, naming the field and the covered range.
            HttpResponseMessage refused = await http.PostAsJsonAsync("api/restores", new { time = DateTimeOffset.UtcNow.AddDays(1), target_dir = Path.Combine(h.Root, "never") }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            string refusal = await refused.Content.ReadAsStringAsync(Ct);
            Assert.Contains("\"time\"", refusal, StringComparison.Ordinal);
            Assert.Contains("recoverable", refusal, StringComparison.Ordinal);

            // CLI restore of the full into a new datadir and port, through the proxy and the agent.
            int port = BackupHarness.FreePort();
            ProcessResult restore = await Cli(["backup", "restore", "--backup", backups[0]!["label"]!.GetValue<string>(), "--target-dir", Path.Combine(h.Root, "r-cli"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--url", url, "--token", "admin-secret"]);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            int pid = JsonNode.Parse(restore.StdOut)!["pid"]!.GetValue<int>();
            try
            {
                Assert.Equal(atFull, await h.ChecksumsAtAsync(port));
                Assert.NotEqual(atIncremental, atFull);
            }
            finally
            {
                using Process server = Process.GetProcessById(pid);
                server.Kill();
                await server.WaitForExitAsync(Ct);
            }
        }
        finally
        {
            agent.Kill(entireProcessTree: true);
            await agent.WaitForExitAsync(Ct);
        }
    }

    private static Task<ProcessResult> Cli(string[] args) =>
        ExternalProcess.RunAsync("dotnet", [Executable, .. args], Ct, timeout: TimeSpan.FromMinutes(3));

    private static async Task WaitUntilAsync(Func<Task<bool>> ready, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, "the agent exited during start");
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the agent did not answer within 60s");
            await Task.Delay(200, Ct);
        }
    }
}
