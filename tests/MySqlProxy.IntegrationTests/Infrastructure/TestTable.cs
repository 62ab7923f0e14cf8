namespace MySqlProxy.IntegrationTests.Infrastructure;

/// <summary>
/// A table in database <c>app</c> that belongs to one test: created on the primary as admin with a unique
/// name and dropped when disposed, so tests can run in parallel.
/// </summary>
public sealed class TestTable : IAsyncDisposable
{
    private TestTable(string name) => Name = name;

    /// <summary>The unquoted table name (unique).</summary>
    public string Name { get; }

    /// <summary>Creates <c>app.name (columns)</c>; <paramref name="columns"/> is the text between the parentheses.</summary>
    public static async Task<TestTable> CreateAsync(string prefix, string columns, CancellationToken ct)
    {
        var table = new TestTable(Db.UniqueName(prefix));
        await Db.AdminAsync($"CREATE TABLE app.`{table.Name}` ({columns})", ct);
        return table;
    }

    public override string ToString() => Name;

    public async ValueTask DisposeAsync()
    {
        // Not the test's token: clean up even when the test was cancelled.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Db.AdminAsync($"DROP TABLE IF EXISTS app.`{Name}`", timeout.Token);
    }
}
