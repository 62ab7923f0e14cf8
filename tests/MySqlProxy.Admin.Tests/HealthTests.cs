using System.Net;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>/readyz tells whether the proxy can serve (listener up, primary answering); /healthz only that the process runs.</summary>
public sealed class HealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Readyz_PrimaryUnreachable_Is503_HealthzStill200()
    {
        // Port 1 on loopback refuses connections: the primary never answers its health checks.
        await using AdminInstance proxy = await AdminInstance.StartAsync(o => o.Backends.Primary.Port = 1, needsTopology: false);

        using HttpResponseMessage readyz = await proxy.Anonymous.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Contains("primary", await readyz.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using HttpResponseMessage healthz = await proxy.Anonymous.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);

        string metrics = await proxy.Http.GetStringAsync("/metrics", Ct);
        Assert.Contains("mysqlproxy_backend_up{backend=\"db1\",role=\"primary\"} 0", metrics, StringComparison.Ordinal);
    }
}
