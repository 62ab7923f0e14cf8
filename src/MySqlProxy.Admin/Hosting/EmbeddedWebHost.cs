using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Auth;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Json;

namespace MySqlProxy.Admin.Hosting;

/// <summary>
/// The small web host the admin endpoint and the backup agent each run inside the process: Kestrel on one
/// address, the process's logging, no lifetime of its own, RFC 7807 problems, the admin JSON settings, and
/// every path behind the bearer token but those the middleware leaves open.
/// </summary>
internal static class EmbeddedWebHost
{
    /// <summary>A builder with Kestrel on <paramref name="endpoint"/> and the shared services; callers add their own.</summary>
    public static WebApplicationBuilder CreateBuilder(string applicationName, IPEndPoint endpoint, ILoggerFactory loggerFactory)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = applicationName });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1 << 20;
            kestrel.Listen(endpoint);
        });

        IServiceCollection services = builder.Services;
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(new AdminLoggerFactory(loggerFactory)));
        services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        services.AddRoutingCore();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.ConfigureHttpJsonOptions(o => AdminJson.Configure(o.SerializerOptions));
        return builder;
    }

    /// <summary>Error handling and the bearer token, first in the pipeline.</summary>
    public static void UseCommon(WebApplication app, string token, ILogger logger)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BearerTokenMiddleware>(token, logger);
    }
}
