using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Hosting;
using MySqlProxy.Admin.Jobs;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Backups;

/// <summary>
/// <c>mysqlproxy agent</c>: the backup work of the database host (mariadb-backup must run where the datadir is)
/// behind the same HTTP paths as the admin endpoint (<c>/api/backups</c>, <c>/api/restores</c>, <c>/api/jobs</c>),
/// guarded by its own bearer token. The proxy forwards those paths here when <c>backups.agent.url</c> is set.
/// The agent also runs the schedules and the binlog archiver of <c>backups</c>.
/// </summary>
public sealed class AgentServer : IAsyncDisposable
{
    private readonly IPEndPoint _listen;
    private readonly string _token;
    private readonly ILoggerFactory _loggerFactory;
    private readonly JobManager _jobs;
    private readonly BackupService _service;
    private readonly BackupWorker _worker;
    private WebApplication? _app;

    public AgentServer(ProxyOptions options, IPEndPoint listen, string token, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _listen = listen;
        _token = token;
        _loggerFactory = loggerFactory;
        _jobs = new JobManager(loggerFactory.CreateLogger<JobManager>());
        _service = new BackupService(options.Backups, options.Backends.Primary, _jobs, loggerFactory.CreateLogger<BackupService>());
        _worker = new BackupWorker(_service, loggerFactory.CreateLogger<BackupWorker>());
    }

    public Uri? BaseAddress { get; private set; }

    public BackupService Service => _service;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = EmbeddedWebHost.CreateBuilder("mysqlproxy-agent", _listen, _loggerFactory);
        IServiceCollection services = builder.Services;
        services.AddSingleton(_jobs);
        services.AddSingleton(new BackupEndpoint(_service));
        WebApplication app = builder.Build();
        EmbeddedWebHost.UseCommon(app, _token, _loggerFactory.CreateLogger<AgentServer>());
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        RouteGroupBuilder api = app.MapGroup("/api");
        JobsApi.Map(api);
        BackupsApi.Map(api);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        _worker.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync().ConfigureAwait(false);
        await _jobs.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _service.Dispose();
    }
}
