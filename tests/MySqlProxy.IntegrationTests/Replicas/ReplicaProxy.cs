using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Replicas;

/// <summary>A proxy on the topology with its admin endpoint (both on port 0) and proxy.runtime.json in a scratch folder.</summary>
internal sealed class ReplicaProxy : IAsyncDisposable
{
    public const string Token = "replica-test-token";

    private readonly ILoggerFactory _loggers;
    private readonly string _folder;

    private ReplicaProxy(MySqlListener listener, AdminServer admin, ProxyOptions options, ILoggerFactory loggers, string folder)
    {
        Listener = listener;
        Admin = admin;
        Options = options;
        _loggers = loggers;
        _folder = folder;
        Http = new HttpClient { BaseAddress = admin.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public MySqlListener Listener { get; }

    public AdminServer Admin { get; }

    public ProxyOptions Options { get; }

    public HttpClient Http { get; }

    public string RuntimeStatePath => Path.Combine(_folder, AdminServerOptions.RuntimeStateFileName);

    public static async Task<ReplicaProxy> StartAsync(Action<ProxyOptions>? configure = null)
    {
        await Topology.EnsureUpAsync();
        ProxyOptions options = ProxyInstance.DefaultOptions();
        options.Admin.Token = Token;
        options.ReplicaSetup.User = "admin";
        options.ReplicaSetup.Password = "admin";
        options.ReplicaSetup.ReplicationUser = "repl";
        options.ReplicaSetup.ReplicationPassword = "repl";
        configure?.Invoke(options);
        string folder = Path.Combine(Path.GetTempPath(), "mysqlproxy-replica-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        ILoggerFactory loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var listener = new MySqlListener(Microsoft.Extensions.Options.Options.Create(options), loggers);
        await listener.StartAsync(CancellationToken.None);
        var admin = new AdminServer(listener, options, new AdminServerOptions { RuntimeStatePath = Path.Combine(folder, AdminServerOptions.RuntimeStateFileName) }, loggers);
        await admin.StartAsync(CancellationToken.None);
        return new ReplicaProxy(listener, admin, options, loggers, folder);
    }

    public string ConnectionString(string extra = "") =>
        $"Server=127.0.0.1;Port={Listener.LocalEndPoint!.Port};User ID=app;Password=app;Database=app;Pooling=false;{extra}";

    /// <summary>POST /api/replicas; returns the status code and the body.</summary>
    public async Task<(int Status, JsonElement Body)> PostReplicaAsync(string json, CancellationToken ct)
    {
        using HttpResponseMessage response = await Http.PostAsync("/api/replicas", new StringContent(json, Encoding.UTF8, "application/json"), ct);
        string text = await response.Content.ReadAsStringAsync(ct);
        using JsonDocument document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    public async Task<JsonElement> GetAsync(string path, CancellationToken ct)
    {
        string text = await Http.GetStringAsync(path, ct);
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Starts a set-up and waits until its job ends; returns the job.</summary>
    public async Task<JsonElement> SetUpAsync(string json, TimeSpan timeout, CancellationToken ct)
    {
        (int status, JsonElement body) = await PostReplicaAsync(json, ct);
        Assert.True(status == 202, $"POST /api/replicas answered {status}: {body}");
        string location = body.GetProperty("location").GetString()!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            JsonElement job = await GetAsync(location, ct);
            if (job.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled")
            {
                return job;
            }

            Assert.True(clock.Elapsed < timeout, $"the job did not end within {timeout}: {job}");
            await Task.Delay(100, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Admin.DisposeAsync();
        await Listener.DisposeAsync();
        _loggers.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }
}
