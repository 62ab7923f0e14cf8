using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;

namespace MySqlProxy.Core;

/// <summary>Wiring of the data path into a host.</summary>
public static class ProxyServiceCollectionExtensions
{
    /// <summary>Binds <see cref="ProxyOptions"/> from <paramref name="configuration"/>, validates it at start, and runs the MySQL listener.</summary>
    public static IServiceCollection AddMySqlProxy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProxyOptions>()
            .Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = false)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>());
        services.AddSingleton<MySqlListener>();
        services.AddHostedService(sp => sp.GetRequiredService<MySqlListener>());
        return services;
    }
}
