namespace MySqlProxy.IntegrationTests.Infrastructure;

/// <summary>One proxy for the whole test assembly (tests that need special settings start their own <see cref="ProxyInstance"/>).</summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    private ProxyInstance? _proxy;

    public ProxyInstance Proxy => _proxy ?? throw new InvalidOperationException("fixture not started");

    public string ConnectionString(string user = "app", string password = "app", string database = "app", string extra = "") =>
        Proxy.ConnectionString(user, password, database, extra);

    public async ValueTask InitializeAsync()
    {
        await Topology.EnsureUpAsync();
        _proxy = await ProxyInstance.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }
}
