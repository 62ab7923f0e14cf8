using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin;

/// <summary>Wiring of the admin endpoint into a host that already runs the proxy (<c>AddMySqlProxy</c>).</summary>
public static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// Runs the HTTP admin endpoint on <c>listen.admin</c> beside the MySQL listener registered by
    /// <c>AddMySqlProxy(configuration)</c>, which must be called first.
    /// </summary>
    public static IServiceCollection AddMySqlProxyAdmin(this IServiceCollection services, Action<AdminServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<AdminServerOptions> options = services.AddOptions<AdminServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton(sp => new JobManager(sp.GetRequiredService<ILoggerFactory>().CreateLogger<JobManager>()));
        services.AddSingleton(sp => new AdminServer(
            sp.GetRequiredService<MySqlListener>(),
            sp.GetRequiredService<IOptions<ProxyOptions>>().Value,
            sp.GetRequiredService<IOptions<AdminServerOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<JobManager>()));
        services.AddHostedService(sp => sp.GetRequiredService<AdminServer>());
        return services;
    }
}
