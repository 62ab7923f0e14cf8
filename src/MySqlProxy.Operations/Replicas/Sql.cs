using System.Globalization;
using System.Text;
using MySqlConnector;

namespace MySqlProxy.Operations.Replicas;

/// <summary>Small helpers for the statements a replica set-up runs: quoting and one-shot commands.</summary>
internal static class Sql
{
    /// <summary>An identifier in backticks (a backtick inside is doubled).</summary>
    public static string Id(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <summary>schema.table, both quoted.</summary>
    public static string Id(string schema, string name) => Id(schema) + "." + Id(name);

    /// <summary>A string literal in single quotes (quotes and backslashes escaped).</summary>
    public static string Literal(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\'':
                    builder.Append("''");
                    break;
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\0':
                    builder.Append(@"\0");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>'user'@'host'.</summary>
    public static string Account(string user, string host) => Literal(user) + "@" + Literal(host);

    public static async Task ExecAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public static async Task<object?> ScalarAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    public static async Task<string?> TextAsync(MySqlConnection connection, string sql, CancellationToken ct) =>
        await ScalarAsync(connection, sql, ct).ConfigureAwait(false) is { } value
            ? value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Every row of a query, each as its column values by name (text as strings).</summary>
    public static async Task<List<Dictionary<string, object?>>> RowsAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using MySqlDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < reader.FieldCount; i++)
            {
                object? value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                row[reader.GetName(i)] = value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value;
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> ColumnAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        var values = new List<string>();
        foreach (Dictionary<string, object?> row in await RowsAsync(connection, sql, ct).ConfigureAwait(false))
        {
            values.Add(Text(row.Values.First()));
        }

        return values;
    }

    /// <summary>A column value as text ("" for NULL).</summary>
    public static string Text(object? value) => value switch
    {
        null => string.Empty,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>The value of a column by name ("" when absent or NULL).</summary>
    public static string Field(IReadOnlyDictionary<string, object?> row, string name) =>
        row.TryGetValue(name, out object? value) ? Text(value) : string.Empty;

    /// <summary>Opens a connection, turning a failure to reach or log in into an operator-facing message.</summary>
    public static async Task<MySqlConnection> OpenAsync(ServerLogin server, string role, CancellationToken ct, bool localInfile = false)
    {
        var connection = new MySqlConnection(server.ConnectionString(localInfile));
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch (MySqlException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            string why = ex.ErrorCode switch
            {
                MySqlErrorCode.UnableToConnectToHost => "it is unreachable",
                MySqlErrorCode.AccessDenied => $"the login '{server.User}' was refused",
                _ => "it refused the connection",
            };
            throw new Jobs.JobFailedException($"cannot connect to the {role} {server.Address}: {why} ({ex.Message})", ex);
        }
    }
}
