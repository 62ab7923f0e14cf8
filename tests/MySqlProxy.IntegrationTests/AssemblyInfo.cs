using MySqlProxy.IntegrationTests.Infrastructure;

[assembly: AssemblyFixture(typeof(ProxyFixture))]
