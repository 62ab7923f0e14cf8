using System.Data;
using System.Globalization;
using System.Text;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>LOAD DATA LOCAL INFILE (the server asks the client for the file, the file comes as packets up to an empty one).</summary>
public sealed class LoadDataTests(ProxyFixture fixture)
{
    private const string Columns = "id INT PRIMARY KEY, name VARCHAR(100), amount DECIMAL(12,2), created DATETIME(3), note TEXT NULL";

    private const string Local = "AllowLoadLocalInfile=true;";


    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 120_000)]
    [InlineData(5_000)]
    [InlineData(200_000)]
    public async Task BulkLoaderFromFile_SameContentAsDirect(int rows)
    {
        string file = Path.Combine(Path.GetTempPath(), Db.UniqueName("load") + ".tsv");
        await File.WriteAllTextAsync(file, MakeData(rows), new UTF8Encoding(false), Ct);
        try
        {
            (string direct, string proxy) = await LoadBothAsync(loader =>
            {
                loader.FileName = file;
            });
            Assert.Equal(direct, proxy);
            Assert.StartsWith($"loaded {rows} ", proxy, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task BulkLoaderFromStream_SameContentAsDirect()
    {
        byte[] data = Encoding.UTF8.GetBytes(MakeData(3_000));
        (string direct, string proxy) = await LoadBothAsync(loader =>
        {
            loader.SourceStream = new MemoryStream(data);
        });
        Assert.Equal(direct, proxy);
        Assert.StartsWith("loaded 3000 ", proxy, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task BulkLoaderFromEmptyStream_LoadsNothing_SameAsDirect()
    {
        (string direct, string proxy) = await LoadBothAsync(loader =>
        {
            loader.SourceStream = new MemoryStream();
        });
        Assert.Equal(direct, proxy);
        Assert.Equal("loaded 0 0:0:0", proxy);
    }

    [Fact(Timeout = 60_000)]
    public async Task BulkCopyFromDataTable_SameContentAsDirect()
    {
        var source = new DataTable();
        source.Columns.Add("id", typeof(int));
        source.Columns.Add("name", typeof(string));
        source.Columns.Add("amount", typeof(decimal));
        source.Columns.Add("created", typeof(DateTime));
        source.Columns.Add("note", typeof(string));
        for (int i = 1; i <= 4_000; i++)
        {
            source.Rows.Add(i, $"name {i} ✓ \t tab", i * 1.25m, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddSeconds(i * 37).AddMilliseconds(i % 1000),
                i % 5 == 0 ? DBNull.Value : $"note\n{i}");
        }

        await using var direct = await TestTable.CreateAsync("bulkcopy_d", Columns, Ct);
        await using var proxied = await TestTable.CreateAsync("bulkcopy_p", Columns, Ct);

        async Task<string> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString + Local, Ct);
            var copy = new MySqlBulkCopy(connection) { DestinationTableName = table };
            MySqlBulkCopyResult result = await copy.WriteToServerAsync(source, Ct);
            return $"copied {result.RowsInserted} warnings {result.Warnings.Count} {await Db.ScalarAsync(connection, ChecksumSql(table), Ct)}";
        }

        string directResult = await RunAsync(Topology.Direct(), direct.Name);
        string proxyResult = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directResult, proxyResult);
        Assert.StartsWith("copied 4000 warnings 0 4000:", proxyResult, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task LoadData_WithBadRowInStrictMode_SameWarningsAsDirect()
    {
        string file = Path.Combine(Path.GetTempPath(), Db.UniqueName("load_bad") + ".tsv");
        await File.WriteAllTextAsync(file, MakeData(1_000) + "1001\tbad\tnot-a-number\t2024-01-01\tx\n" + MakeData(2_000, 1_002), Ct);
        await using var direct = await TestTable.CreateAsync("load_bad_d", Columns, Ct);
        await using var proxied = await TestTable.CreateAsync("load_bad_p", Columns, Ct);
        try
        {
            async Task<string> RunAsync(string connectionString, string table)
            {
                await using var connection = await Db.OpenAsync(connectionString + Local, Ct);
                // LOCAL turns errors in the data into warnings (as IGNORE does): the server cannot stop the upload.
                await Db.ExecuteAsync(connection, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'", Ct);
                var loader = new MySqlBulkLoader(connection) { TableName = table, Local = true, FileName = file, CharacterSet = "utf8mb4" };
                int loaded = await loader.LoadAsync(Ct);
                await using var warnings = new MySqlCommand("SHOW WARNINGS", connection);
                await using var reader = await warnings.ExecuteReaderAsync(Ct);
                List<string> lines = await Db.RenderAsync(reader, Ct);
                await reader.DisposeAsync();
                lines = Db.WithoutName(lines.Where(l => l.StartsWith("  row ", StringComparison.Ordinal)), table);
                return $"loaded {loaded} | {string.Join("\n", lines)} | {await Db.ScalarAsync(connection, ChecksumSql(table), Ct)}";
            }

            string directResult = await RunAsync(Topology.Direct(), direct.Name);
            string proxyResult = await RunAsync(fixture.ConnectionString(), proxied.Name);
            Assert.Equal(directResult, proxyResult);
            Assert.StartsWith("loaded 3001 |   row string:Warning | UInt32:1366 | string:Incorrect decimal value: 'not-a-number'", proxyResult, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task LoadData_IntoMissingTable_SameErrorAsDirect()
    {
        string file = Path.Combine(Path.GetTempPath(), Db.UniqueName("load_missing") + ".tsv");
        await File.WriteAllTextAsync(file, MakeData(10), Ct);
        try
        {
            (string direct, string proxy) = await Db.BothAsync(fixture, Local, async cs =>
            {
                await using var connection = await Db.OpenAsync(cs, Ct);
                var error = await Assert.ThrowsAsync<MySqlException>(() =>
                    Db.ExecuteAsync(connection, $"LOAD DATA LOCAL INFILE '{file}' INTO TABLE no_such_table_42", Ct));
                return $"{error.Number} {error.SqlState} {error.Message} then {await Db.ScalarAsync(connection, "SELECT 'in step'", Ct)}";
            });
            Assert.Equal(direct, proxy);
            Assert.StartsWith("1146 42S02", proxy, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task LoadData_ClientRefusesLocalFiles_SameOutcomeAsDirect()
    {
        // Without AllowLoadLocalInfile MySqlConnector answers the server's file request with an empty file and throws.
        await using var direct = await TestTable.CreateAsync("load_refused_d", Columns, Ct);
        await using var proxied = await TestTable.CreateAsync("load_refused_p", Columns, Ct);

        async Task<string> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString, Ct);
            var error = await Assert.ThrowsAnyAsync<Exception>(() =>
                Db.ExecuteAsync(connection, $"LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE `{table}`", Ct));
            return $"{error.GetType().Name} {error.Message.Replace(table, "T", StringComparison.Ordinal)} then {await Db.ScalarAsync(connection, $"SELECT COUNT(*) FROM `{table}`", Ct)}";
        }

        string directResult = await RunAsync(Topology.Direct(), direct.Name);
        string proxyResult = await RunAsync(fixture.ConnectionString(), proxied.Name);
        Assert.Equal(directResult, proxyResult);
    }

    private async Task<(string Direct, string Proxy)> LoadBothAsync(Action<MySqlBulkLoader> source)
    {
        await using var direct = await TestTable.CreateAsync("load_d", Columns, Ct);
        await using var proxied = await TestTable.CreateAsync("load_p", Columns, Ct);

        async Task<string> RunAsync(string connectionString, string table)
        {
            await using var connection = await Db.OpenAsync(connectionString + Local, Ct);
            var loader = new MySqlBulkLoader(connection)
            {
                TableName = table,
                Local = true,
                FieldTerminator = "\t",
                LineTerminator = "\n",
                CharacterSet = "utf8mb4",
            };
            source(loader);
            int loaded = await loader.LoadAsync(Ct);
            return $"loaded {loaded} {await Db.ScalarAsync(connection, ChecksumSql(table), Ct)}";
        }

        return (await RunAsync(Topology.Direct(), direct.Name), await RunAsync(fixture.ConnectionString(), proxied.Name));
    }

    /// <summary>What identifies a table's content: row count and an order-independent checksum of every column.</summary>
    private static string ChecksumSql(string table) =>
        "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', id, name, amount, created, COALESCE(note, '<null>')))), 0), ':', " +
        $"COALESCE(BIT_XOR(CRC32(CONCAT_WS('|', id, name, amount, created, COALESCE(note, '<null>')))), 0)) FROM `{table}`";

    /// <summary>Tab-separated rows in LOAD DATA's default format: escaped tabs and newlines, \N for NULL.</summary>
    private static string MakeData(int rows, int first = 1)
    {
        var text = new StringBuilder(rows * 64);
        for (int i = first; i < first + rows; i++)
        {
            text.Append(i).Append('\t')
                .Append("name ").Append(i).Append(i % 3 == 0 ? " ünï 😀" : string.Empty).Append(i % 7 == 0 ? "\\twith tab" : string.Empty).Append('\t')
                .Append((i * 3.17m).ToString("0.00", CultureInfo.InvariantCulture)).Append('\t')
                .Append(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMinutes(i).AddMilliseconds(i % 1000).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append('\t')
                .Append(i % 4 == 0 ? "\\N" : $"note {i}\\nsecond line").Append('\n');
        }

        return text.ToString();
    }
}
