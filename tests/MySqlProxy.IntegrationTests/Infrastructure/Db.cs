using MySqlConnector;

namespace MySqlProxy.IntegrationTests.Infrastructure;

/// <summary>Small helpers for the tests that run the same thing directly against the primary and through the proxy.</summary>
public static class Db
{
    /// <summary>Extra connection-string settings under which MySqlConnector really prepares statements (binary protocol).</summary>
    public const string Prepared = "IgnorePrepare=false;";

    /// <summary>A table name no other test uses, at most 64 characters.</summary>
    public static string UniqueName(string prefix) => $"it_{prefix}_{Guid.NewGuid():N}";

    public static async Task<MySqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new MySqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public static async Task<int> ExecuteAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// Runs statements as admin straight on the primary (set-up and clean-up that must not depend on the proxy),
    /// then waits until the replicas have applied them: the proxy sends reads to replicas, and a read through it
    /// must find what the test set up.
    /// </summary>
    public static async Task AdminAsync(string sql, CancellationToken ct)
    {
        await using var connection = await OpenAsync(Topology.Direct("admin", "admin"), ct);
        await ExecuteAsync(connection, sql, ct);
        await WaitForReplicasAsync(connection, ct);
    }

    /// <summary>Waits (10 s at most per replica) until every replica has applied what the primary has written so far.</summary>
    public static async Task WaitForReplicasAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(Topology.Direct("admin", "admin"), ct);
        await WaitForReplicasAsync(connection, ct);
    }

    /// <summary>
    /// Waits until every replica has applied what <paramref name="primary"/> (a direct primary connection)
    /// has seen written, so that reads the proxy sends to replicas from other sessions see it: the proxy promises
    /// read-your-writes per session, not across sessions.
    /// </summary>
    public static async Task WaitForReplicasAsync(MySqlConnection primary, CancellationToken ct)
    {
        string? position = (string?)await ScalarAsync(primary, "SELECT @@gtid_binlog_pos", ct);
        if (string.IsNullOrEmpty(position))
        {
            return;
        }

        await Task.WhenAll(Topology.Replicas.Select(async replica =>
        {
            // Bounded: a replica another test holds back (stopped SQL thread) would never catch up.
            await using var connection = await OpenAsync(
                $"Server={replica.Address};Port={replica.Port};User ID=admin;Password=admin;Pooling=false;", ct);
            await ScalarAsync(connection, $"SELECT MASTER_GTID_WAIT('{position}', 10)", ct);
        }));
    }

    /// <summary>Runs <paramref name="run"/> once on a direct connection string and once on the proxy's, one after the other.</summary>
    public static async Task<(T Direct, T Proxy)> BothAsync<T>(ProxyFixture fixture, string extra, Func<string, Task<T>> run)
    {
        T direct = await run(Topology.Direct(extra: extra));
        T proxy = await run(fixture.ConnectionString(extra: extra));
        return (direct, proxy);
    }

    /// <summary>
    /// Runs one statement directly and through the proxy (text protocol, or prepared when <paramref name="prepare"/>),
    /// asserts that the rendered results are identical and returns them.
    /// </summary>
    public static async Task<List<string>> AssertSameAsync(ProxyFixture fixture, string sql, bool prepare, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        (List<string> direct, List<string> proxy) = await BothAsync(fixture, prepare ? Prepared : string.Empty, async cs =>
        {
            await using var connection = await OpenAsync(cs, ct);
            return await QueryAsync(connection, sql, prepare, ct, parameters);
        });
        Assert.Equal(direct, proxy);
        return proxy;
    }

    /// <summary>Runs <paramref name="sql"/> with <see cref="MySqlCommand"/> and renders every result set (see <see cref="Render"/>).</summary>
    public static async Task<List<string>> QueryAsync(MySqlConnection connection, string sql, bool prepare, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = new MySqlCommand(sql, connection);
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        if (prepare)
        {
            await command.PrepareAsync(ct);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        return await RenderAsync(reader, ct);
    }

    /// <summary>
    /// Every result set of a reader as lines of text: column metadata, then one line per row with each value's
    /// CLR type and an exact rendering, then the records affected. Two readers that give equal lists gave the
    /// application the same data.
    /// </summary>
    public static async Task<List<string>> RenderAsync(MySqlDataReader reader, CancellationToken ct)
    {
        var lines = new List<string>();
        int set = 0;
        do
        {
            lines.Add($"result {set++}: {reader.FieldCount} columns");
            if (reader.FieldCount > 0)
            {
                foreach (var column in reader.GetColumnSchema())
                {
                    lines.Add($"  column {column.ColumnName} {column.DataTypeName} {((MySqlDbColumn)column).ProviderType} size={column.ColumnSize} " +
                        $"precision={column.NumericPrecision} scale={column.NumericScale} null={column.AllowDBNull} clr={column.DataType?.Name} " +
                        $"table={column.BaseTableName} base={column.BaseColumnName} key={column.IsKey} auto={column.IsAutoIncrement}");
                }
            }

            while (await reader.ReadAsync(ct))
            {
                var values = new string[reader.FieldCount];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = Render(reader.GetValue(i));
                }

                lines.Add("  row " + string.Join(" | ", values));
            }
        }
        while (await reader.NextResultAsync(ct));

        lines.Add($"affected {reader.RecordsAffected}");
        return lines;
    }

    /// <summary>The lines with a per-test table name replaced by a fixed word, to compare results of two tables.</summary>
    public static List<string> WithoutName(IEnumerable<string> lines, string tableName) =>
        [.. lines.Select(line => line.Replace(tableName, "TABLE", StringComparison.Ordinal))];

    /// <summary>A value with its type, exactly (bytes as hex, floating point round-trippable, dates to the tick).</summary>
    public static string Render(object? value) => value switch
    {
        null or DBNull => "NULL",
        byte[] bytes => $"byte[{bytes.Length}]:{(bytes.Length > 64 ? Sha256(bytes) : Convert.ToHexString(bytes))}",
        string s when s.Length > 256 => $"string[{s.Length}]:{Sha256(System.Text.Encoding.UTF8.GetBytes(s))}",
        string s => $"string:{s}",
        DateTime d => $"DateTime:{d:O}/{d.Kind}",
        DateTimeOffset d => $"DateTimeOffset:{d:O}",
        TimeSpan t => $"TimeSpan:{t:c}",
        double d => $"double:{d:R}",
        float f => $"float:{f:R}",
        MySqlGeometry g => $"geometry:{g.SRID}:{Convert.ToHexString(g.Value)}",
        IFormattable f => $"{value.GetType().Name}:{f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
        _ => $"{value.GetType().Name}:{value}",
    };

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
}
