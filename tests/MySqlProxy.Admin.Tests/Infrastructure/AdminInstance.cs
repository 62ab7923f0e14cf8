using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;

namespace MySqlProxy.Admin.Tests.Infrastructure;

/// <summary>
/// A proxy started in-process on port 0 against the local topology, with its admin endpoint on a real Kestrel on
/// port 0, and HTTP clients with and without the token. Each test starts its own, so changes stay in the test.
/// </summary>
public sealed class AdminInstance : IAsyncDisposable
{
    public const string Token = "test-token";

    private readonly ILoggerFactory _loggerFactory;

    private AdminInstance(MySqlListener listener, AdminServer admin, ProxyOptions options, ILoggerFactory loggerFactory)
    {
        Listener = listener;
        Admin = admin;
        Options = options;
        _loggerFactory = loggerFactory;
        Http = new HttpClient { BaseAddress = admin.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Anonymous = new HttpClient { BaseAddress = admin.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public MySqlListener Listener { get; }

    public AdminServer Admin { get; }

    public ProxyOptions Options { get; }

    /// <summary>A client that sends <c>Authorization: Bearer</c> with the right token.</summary>
    public HttpClient Http { get; }

    /// <summary>A client that sends no token.</summary>
    public HttpClient Anonymous { get; }

    public static ProxyOptions DefaultOptions()
    {
        var options = new ProxyOptions();
        options.Listen.Mysql = "127.0.0.1:0";
        options.Listen.Admin = "127.0.0.1:0";
        options.Admin.Token = Token;
        options.Backends.Primary = new BackendOptions { Name = "db1", Host = Topology.Primary.Address.ToString(), Port = Topology.Primary.Port };
        int i = 2;
        foreach (var replica in Topology.Replicas)
        {
            options.Backends.Replicas.Add(new BackendOptions { Name = $"db{i++}", Host = replica.Address.ToString(), Port = replica.Port, Weight = 100 });
        }

        options.Users.Add(new UserOptions { User = "app", Password = "app" });
        options.Monitor.Password = "monitor";
        options.Sessions.ShutdownTimeout = Duration.FromSeconds(5);
        return options;
    }

    public static async Task<AdminInstance> StartAsync(Action<ProxyOptions>? configure = null, string? runtimeStatePath = null, bool needsTopology = true)
    {
        if (needsTopology)
        {
            await Topology.EnsureUpAsync();
        }

        ProxyOptions options = DefaultOptions();
        configure?.Invoke(options);
        var validation = new ProxyOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new InvalidOperationException(validation.FailureMessage);
        }

        ILoggerFactory loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        var listener = new MySqlListener(Microsoft.Extensions.Options.Options.Create(options), loggerFactory);
        await listener.StartAsync(CancellationToken.None);
        var admin = new AdminServer(listener, options, new AdminServerOptions
        {
            RuntimeStatePath = runtimeStatePath,
            RateSamplingPeriod = TimeSpan.FromMilliseconds(200),
        }, loggerFactory);
        try
        {
            await admin.StartAsync(CancellationToken.None);
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }

        return new AdminInstance(listener, admin, options, loggerFactory);
    }

    /// <summary>A client session on this proxy (no client-side pooling: one session for the whole test).</summary>
    public async Task<MySqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(
            $"Server=127.0.0.1;Port={Listener.LocalEndPoint!.Port};User ID=app;Password=app;Database=app;Pooling=false;AllowUserVariables=true");
        await connection.OpenAsync(ct);
        return connection;
    }

    public static async Task<long> ServerIdAsync(MySqlConnection connection, CancellationToken ct, string sql = "SELECT @@server_id")
    {
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string json, CancellationToken ct) =>
        Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, ct);

    /// <summary>Sends JSON and asserts the status; returns the response body parsed.</summary>
    public async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, string json, int expectedStatus, CancellationToken ct)
    {
        using HttpResponseMessage response = await SendJsonAsync(method, path, json, ct);
        return await ReadAsync(response, expectedStatus, ct);
    }

    /// <summary>GETs a path with the token and asserts the status; returns the body parsed.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken ct, int expectedStatus = 200)
    {
        using HttpResponseMessage response = await Http.GetAsync(path, ct);
        return await ReadAsync(response, expectedStatus, ct);
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int expectedStatus, CancellationToken ct)
    {
        string body = await response.Content.ReadAsStringAsync(ct);
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {body}");
        if (body.Length == 0)
        {
            return default;
        }

        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Anonymous.Dispose();
        await Admin.DisposeAsync();
        await Listener.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
