using Microsoft.Extensions.Hosting;

namespace MySqlProxy.Admin.Hosting;

/// <summary>
/// The admin endpoint's web host lives inside the proxy's host, which owns SIGTERM and Ctrl-C; this lifetime
/// keeps the inner host from hooking them too (and from printing the console lifetime's banner).
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
