using MySqlConnector;
using MySqlProxy.Core.Configuration;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Logins the proxy refuses or passes on look exactly as the server's own.</summary>
public sealed class AuthTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData("app", "wrong", "app", 1045, "28000")]
    [InlineData("app", "", "app", 1045, "28000")]
    [InlineData("admin", "app", "app", 1045, "28000")]
    [InlineData("nobody_42", "whatever", "app", 1045, "28000")]
    [InlineData("nobody_42", "", "app", 1045, "28000")]
    [InlineData("app", "app", "no_such_db_42", 1049, "42000")]
    public async Task RefusedLogin_SameErrorAsDirect(string user, string password, string database, int code, string sqlState)
    {
        async Task<string> RunAsync(string connectionString)
        {
            await using var connection = new MySqlConnection(connectionString);
            var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(Ct));
            return $"{error.Number} {error.SqlState} {error.ErrorCode} {error.Message}";
        }

        string direct = await RunAsync(Topology.Direct(user, password, database));
        string proxy = await RunAsync(fixture.ConnectionString(user, password, database));
        Assert.Equal(direct, proxy);
        Assert.StartsWith($"{code} {sqlState} ", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task WrongPassword_MessageNamesUserAndHost()
    {
        await using var connection = new MySqlConnection(fixture.ConnectionString("app", "wrong"));
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(Ct));
        Assert.Equal("Access denied for user 'app'@'127.0.0.1' (using password: YES)", error.Message);
        Assert.Equal(MySqlErrorCode.AccessDenied, error.ErrorCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task DatabaseWithoutAccess_AtLogin_Gets1044_SameAsDirect()
    {
        string user = Db.UniqueName("lim")[..30];
        await Db.AdminAsync($"CREATE USER '{user}'@'%' IDENTIFIED BY 'limited'", Ct);
        try
        {
            await Db.AdminAsync($"GRANT SELECT ON app.* TO '{user}'@'%'", Ct);
            await using var proxy = await ProxyInstance.StartAsync(o => o.Users.Add(new UserOptions { User = user, Password = "limited" }));

            async Task<string> RunAsync(string connectionString)
            {
                await using var connection = new MySqlConnection(connectionString);
                var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(Ct));
                return $"{error.Number} {error.SqlState} {error.Message}";
            }

            string direct = await RunAsync(Topology.Direct(user, "limited", "mysql"));
            string proxied = await RunAsync(proxy.ConnectionString(user, "limited", "mysql"));
            Assert.Equal(direct, proxied);
            Assert.StartsWith("1044 42000 Access denied for user", proxied, StringComparison.Ordinal);

            // The same user can log in to a database it may use, and only sees what it may see.
            await using var ok = await Db.OpenAsync(proxy.ConnectionString(user, "limited", "app"), Ct);
            Assert.Equal($"{user}@%", await Db.ScalarAsync(ok, "SELECT CURRENT_USER()", Ct));
            var denied = await Assert.ThrowsAsync<MySqlException>(() => Db.ExecuteAsync(ok, "CREATE TABLE app.not_allowed (i INT)", Ct));
            Assert.Equal(1142, denied.Number);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Db.AdminAsync($"DROP USER IF EXISTS '{user}'@'%'", cleanup.Token);
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("app", "app", "app")]
    [InlineData("admin", "admin", "app")]
    [InlineData("app", "app", "")]
    [InlineData("app", "app", "information_schema")]
    public async Task GoodLogin_SessionLooksTheSameAsDirect(string user, string password, string database)
    {
        async Task<string> RunAsync(string connectionString)
        {
            await using var connection = await Db.OpenAsync(connectionString, Ct);
            await using var command = new MySqlCommand(
                "SELECT CONCAT_WS(' / ', CURRENT_USER(), USER() LIKE CONCAT(SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '@%'), COALESCE(DATABASE(), '<none>'), " +
                "@@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection, @@autocommit, @@sql_mode, @@time_zone, " +
                "@@session.tx_isolation, @@session.wait_timeout)", connection);
            return $"{connection.Database} | {connection.ServerVersion} | {await command.ExecuteScalarAsync(Ct)}";
        }

        string directResult = await RunAsync(Topology.Direct(user, password, database));
        string proxyResult = await RunAsync(fixture.ConnectionString(user, password, database));
        Assert.Equal(directResult, proxyResult);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("caching_sha2_password", "app")]
    [InlineData("client_ed25519", "app")]
    [InlineData("sha256_password", "app")]
    [InlineData("caching_sha2_password", "wrong")]
    public async Task ClientStartingWithAnotherPlugin_IsSwitched_SameAsDirect(string plugin, string password)
    {
        // Clients whose default is caching_sha2_password (MySQL 8 drivers) or client_ed25519 get an auth switch
        // to mysql_native_password, never a dropped connection.
        async Task<string> RunAsync(System.Net.IPEndPoint endpoint)
        {
            try
            {
                await using var client = await RawClient.ConnectAsync(endpoint, "app", password, "app", Ct, plugin: plugin);
                (List<RawResultSet> results, RawError? error) = await client.QueryAsync("SELECT CURRENT_USER()", Ct);
                return error?.ToString() ?? RawClient.TextValues(results[0].Rows[0])[0]!;
            }
            catch (RawErrorException ex)
            {
                return ex.Error.ToString();
            }
        }

        string direct = await RunAsync(Topology.Primary);
        string proxy = await RunAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, fixture.Proxy.Port));
        Assert.Equal(direct, proxy);
        Assert.Equal(password == "app" ? "app@%" : "ERROR 1045 (28000): Access denied for user 'app'@'127.0.0.1' (using password: YES)", proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task RefusedThenAccepted_OnTheSameProxy_Works()
    {
        for (int i = 0; i < 5; i++)
        {
            await using var bad = new MySqlConnection(fixture.ConnectionString("app", $"wrong{i}"));
            await Assert.ThrowsAsync<MySqlException>(() => bad.OpenAsync(Ct));
            await using var good = await Db.OpenAsync(fixture.ConnectionString(), Ct);
            Assert.Equal("app@%", await Db.ScalarAsync(good, "SELECT CURRENT_USER()", Ct));
        }
    }
}
