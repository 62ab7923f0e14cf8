using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MySqlProxy.Admin.Backups;
using MySqlProxy.Admin.Metrics;
using MySqlProxy.Core.Listener;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Health;

/// <summary>The probes (<c>/healthz</c>, <c>/readyz</c>, no token) and <c>/metrics</c> (token).</summary>
internal static class HealthApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Healthz)
            .WithTags("Health")
            .WithSummary("200 while the process runs (no token needed)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        app.MapGet("/readyz", Readyz)
            .WithTags("Health")
            .WithSummary("200 while the MySQL listener is up and the primary answers, else 503 (no token needed)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        app.MapGet("/metrics", Metrics)
            .WithTags("Health")
            .WithSummary("Prometheus text format 0.0.4")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
    }

    internal static IResult Healthz() => Results.Text("ok\n", "text/plain; charset=utf-8");

    internal static IResult Readyz(MySqlListener listener)
    {
        if (listener.IsReady)
        {
            return Results.Text("ready\n", "text/plain; charset=utf-8");
        }

        string reason = listener.LocalEndPoint is null ? "the MySQL listener is not listening" : "the primary does not answer its health checks";
        return Results.Text($"not ready: {reason}\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    internal static IResult Metrics(MySqlListener listener, JobManager jobs, BackupEndpoint backups) =>
        Results.Text(ProxyMetricsWriter.Write(listener) + JobMetricsWriter.Write(jobs, backups.Service), PrometheusText.ContentType);
}
