using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Backends;
using MySqlProxy.Admin.Backups;
using MySqlProxy.Admin.Diagnostics;
using MySqlProxy.Admin.Health;
using MySqlProxy.Admin.Hosting;
using MySqlProxy.Admin.Jobs;
using MySqlProxy.Admin.Persistence;
using MySqlProxy.Admin.Replicas;
using MySqlProxy.Admin.Routing;
using MySqlProxy.Admin.Sessions;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Jobs;
using Yarp.ReverseProxy.Forwarder;

namespace MySqlProxy.Admin;

/// <summary>
/// The HTTP admin endpoint on <c>listen.admin</c>: ASP.NET Core minimal APIs on Kestrel, in a small web host of
/// its own inside the proxy's host, steering the running proxy through <see cref="MySqlListener.Control"/>.
/// Every path but <c>/healthz</c> and <c>/readyz</c> needs <c>Authorization: Bearer &lt;admin.token&gt;</c>.
/// Changes made here are put back over the configuration at the next start when
/// <see cref="AdminServerOptions.RuntimeStatePath"/> is set (they are applied before the listener starts).
/// </summary>
public sealed class AdminServer : IHostedLifecycleService, IAsyncDisposable
{
    private readonly MySqlListener _listener;
    private readonly ProxyOptions _options;
    private readonly AdminServerOptions _adminOptions;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly RuntimeStateStore _store;
    private readonly StatementRateSampler _rates;
    private readonly JobManager _jobs;
    private readonly BackupService? _backups;
    private readonly BackupWorker? _backupWorker;
    private readonly AgentForwarder? _agent;
    private readonly Lock _lock = new();
    private bool _loaded;
    private WebApplication? _app;

    public AdminServer(MySqlListener listener, ProxyOptions options, AdminServerOptions adminOptions, ILoggerFactory loggerFactory)
        : this(listener, options, adminOptions, loggerFactory, jobs: null)
    {
    }

    /// <summary>An endpoint whose long work (backups, restores, replica set-ups) runs in <paramref name="jobs"/>.</summary>
    public AdminServer(MySqlListener listener, ProxyOptions options, AdminServerOptions adminOptions, ILoggerFactory loggerFactory, JobManager? jobs)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(adminOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _listener = listener;
        _options = options;
        _adminOptions = adminOptions;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<AdminServer>();
        _store = new RuntimeStateStore(adminOptions.RuntimeStatePath, listener.Control, _logger);
        _rates = new StatementRateSampler(listener.Control, adminOptions.RateSamplingPeriod, _logger);
        _jobs = jobs ?? new JobManager(loggerFactory.CreateLogger<JobManager>());
        if (!string.IsNullOrEmpty(options.Backups.Agent.Url))
        {
            // The physical work runs in the agent on the database host; its paths are forwarded there.
            _agent = new AgentForwarder(options.Backups.Agent);
        }
        else if (options.Backups.IsEnabled())
        {
            // No agent: the physical work runs here (the proxy is on the database host).
            _backups = new BackupService(options.Backups, options.Backends.Primary, _jobs, loggerFactory.CreateLogger<BackupService>());
            _backupWorker = new BackupWorker(_backups, loggerFactory.CreateLogger<BackupWorker>());
        }
    }

    /// <summary>The backup work served in this process (null when backups are off or run in an agent).</summary>
    public BackupService? Backups => _backups;

    /// <summary>The long work started through the endpoint.</summary>
    public JobManager Jobs => _jobs;

    /// <summary>Where the endpoint listens (<c>http://127.0.0.1:6080</c>; tells the port when listen.admin asked for 0).</summary>
    public Uri? BaseAddress { get; private set; }

    /// <summary>Where changes made through the endpoint are kept, or null.</summary>
    public string? RuntimeStatePath => _store.Path;

    /// <summary>Before any service starts: puts the saved run-time settings over the configuration.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        LoadRuntimeState();
        return Task.CompletedTask;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LoadRuntimeState();
        IPEndPoint endpoint = IPEndPoint.Parse(_options.Listen.Admin);
        string token = _options.Admin.Token ?? string.Empty;
        if (token.Length == 0)
        {
            Log.AdminTokenMissing(_logger);
        }

        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            Log.AdminNotLoopback(_logger, endpoint.ToString());
        }

        WebApplication app = Build(endpoint, token);
        try
        {
            // Not cancelled by a SIGTERM during start: binding takes milliseconds, and a start that completes
            // lets the host stop every service in order, where a cancelled one leaves the host half started.
            await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"listen.admin: cannot listen on {endpoint}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        lock (_lock)
        {
            _app = app;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseAddress = new Uri(address);
        _rates.Start();
        _backupWorker?.Start();
        Log.AdminListening(_logger, address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        WebApplication? app;
        lock (_lock)
        {
            app = _app;
            _app = null;
        }

        if (app is null)
        {
            return;
        }

        await _rates.DisposeAsync().ConfigureAwait(false);
        if (_backupWorker is not null)
        {
            await _backupWorker.DisposeAsync().ConfigureAwait(false);
        }

        await _jobs.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        await app.StopAsync(cancellationToken).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        Log.AdminStopped(_logger);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Tells the endpoint that proxy.yaml's routing section was reloaded and put in force: it replaces the
    /// routing set through the endpoint, which is dropped from the run-time settings file (the latest change wins).
    /// </summary>
    public Task ConfigurationRoutingReloadedAsync() => _store.RoutingReplacedByConfigurationAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _store.Dispose();
        _backups?.Dispose();
        _agent?.Dispose();
    }

    private void LoadRuntimeState()
    {
        lock (_lock)
        {
            if (_loaded)
            {
                return;
            }

            _loaded = true;
        }

        _store.Load();
    }

    private WebApplication Build(IPEndPoint endpoint, string token)
    {
        WebApplicationBuilder builder = EmbeddedWebHost.CreateBuilder("mysqlproxy", endpoint, _loggerFactory);
        IServiceCollection services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        services.AddOpenApi(o =>
        {
            o.AddSchemaTransformer<DurationSchemaTransformer>();
            o.AddDocumentTransformer<BearerSecurityTransformer>();
        });
        services.AddSingleton(_listener);
        services.AddSingleton(_listener.Control);
        services.AddSingleton(_rates);
        services.AddSingleton(_store);
        services.AddSingleton(_jobs);
        services.AddSingleton(_options);
        services.AddSingleton(new BackupEndpoint(_backups));
        services.AddHttpForwarder();

        WebApplication app = builder.Build();
        EmbeddedWebHost.UseCommon(app, token, _logger);
        if (_agent is { } agent)
        {
            app.Use((context, next) => AgentForwarder.Handles(context, _jobs)
                ? agent.ForwardAsync(context, context.RequestServices.GetRequiredService<IHttpForwarder>())
                : next(context));
        }

        app.MapOpenApi();
        HealthApi.Map(app);
        RouteGroupBuilder api = app.MapGroup("/api");
        BackendsApi.Map(api);
        RoutingApi.Map(api);
        RulesApi.Map(api);
        SessionsApi.Map(api);
        JobsApi.Map(api);
        ReplicasApi.Map(api);
        BackupsApi.Map(api);
        return app;
    }
}
