using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>Every column type MariaDB 10.11 has, with edge values and NULLs, reads the same through the proxy in both protocols.</summary>
public sealed class DataTypeTests(ProxyFixture fixture)
{
    private const string Columns =
        "id INT PRIMARY KEY, " +
        "c_tinyint TINYINT, c_utinyint TINYINT UNSIGNED, c_smallint SMALLINT, c_usmallint SMALLINT UNSIGNED, " +
        "c_mediumint MEDIUMINT, c_umediumint MEDIUMINT UNSIGNED, c_int INT, c_uint INT UNSIGNED, c_bigint BIGINT, c_ubigint BIGINT UNSIGNED, " +
        "c_bool BOOL, c_decimal DECIMAL(28,10), c_decimal0 DECIMAL(10,0) UNSIGNED, c_float FLOAT, c_double DOUBLE, c_bit1 BIT(1), c_bit13 BIT(13), c_bit64 BIT(64), " +
        "c_date DATE, c_datetime DATETIME(6), c_datetime0 DATETIME, c_timestamp TIMESTAMP(6) NULL, c_time TIME(6), c_time0 TIME, c_year YEAR, " +
        "c_char CHAR(10), c_varchar VARCHAR(255), c_char_latin1 CHAR(5) CHARACTER SET latin1, c_binary BINARY(8), c_varbinary VARBINARY(255), " +
        "c_tinyblob TINYBLOB, c_blob BLOB, c_mediumblob MEDIUMBLOB, c_longblob LONGBLOB, " +
        "c_tinytext TINYTEXT, c_text TEXT, c_mediumtext MEDIUMTEXT, c_longtext LONGTEXT, " +
        "c_enum ENUM('a','b','c'), c_set SET('x','y','z'), c_json JSON, c_geometry GEOMETRY, c_point POINT, " +
        "c_uuid UUID, c_inet6 INET6, c_inet4 INET4";

    private const string MinRow =
        "(1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, " +
        "0, -999999999999999999.9999999999, 0, -3.40282e38, -1.7976931348623157e308, b'0', b'0', 0, " +
        "'1000-01-01', '1000-01-01 00:00:00.000000', '1000-01-01 00:00:00', '1970-01-01 00:00:01.000000', '-838:59:59.000000', '-838:59:59', 1901, " +
        "'', '', '', X'00', '', '', '', '', '', '', '', '', '', " +
        "'a', '', '{}', ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(0 0)'), " +
        "'00000000-0000-0000-0000-000000000000', '::', '0.0.0.0')";

    private const string MaxRow =
        "(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, " +
        "1, 999999999999999999.9999999999, 9999999999, 3.40282e38, 1.7976931348623157e308, b'1', b'1111111111111', 18446744073709551615, " +
        "'9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59', '2038-01-19 03:14:07.999999', '838:59:59.000000', '838:59:59', 2155, " +
        "'abcdefghij', REPEAT('€', 255), 'ÿÿÿÿÿ', X'FFFFFFFFFFFFFFFF', UNHEX(REPEAT('FF', 255)), " +
        "UNHEX(REPEAT('A5', 255)), UNHEX(REPEAT('0102', 32767)), REPEAT(UNHEX('00FF7F80'), 262144), REPEAT(UNHEX('DEADBEEF'), 786432), " +
        "REPEAT('t', 255), REPEAT('ü', 21845), REPEAT('😀', 262144), REPEAT('long text ', 300000), " +
        "'c', 'x,y,z', '{\"a\": [1, 2.5, \"three\", null, true], \"b\": {\"c\": \"😀\"}}', " +
        "ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))'), ST_GeomFromText('POINT(-179.999999 89.999999)'), " +
        "'ffffffff-ffff-ffff-ffff-ffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '255.255.255.255')";

    private const string TypicalRow =
        "(3, 42, 42, -1234, 1234, -123456, 123456, -1234567, 1234567, -123456789012, 123456789012, " +
        "1, 3.1415926535, 42, 1.5, 2.718281828459045, b'1', b'1010101010101', 1234605616436508552, " +
        "'2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15', '2024-02-29 13:14:15.654321', '13:14:15.000001', '-01:02:03', 2024, " +
        "'héllo', 'Grüße, 世界 😀', 'café', X'0102030405', X'00', " +
        "X'00', X'0A0D', X'C3A9', X'FF', " +
        "'x', 'multi\\nline\\ttext', 'ελληνικά', 'مرحبا', " +
        "'b', 'y', '[1, 2, 3]', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 1)'), ST_GeomFromText('POINT(1.5 -2.25)'), " +
        "'123e4567-e89b-12d3-a456-426614174000', '2001:db8::ff00:42:8329', '192.168.1.1')";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryColumnType_WithNulls_SameAsDirect(bool prepare)
    {
        await using var table = await TestTable.CreateAsync("types", Columns, Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES {MinRow}, {MaxRow}, {TypicalRow}", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` (id) VALUES (4)", Ct);

        List<string> result = await Db.AssertSameAsync(fixture, $"SELECT * FROM `{table}` WHERE id > @min ORDER BY id", prepare, Ct, ("@min", 0));
        Assert.Equal(4, result.Count(line => line.StartsWith("  row ", StringComparison.Ordinal)));

        // The NULL row: everything but the id is NULL.
        string nullRow = result.Single(line => line.StartsWith("  row Int32:4 ", StringComparison.Ordinal));
        Assert.Equal(Columns.Split(", ").Length - 1, nullRow.Split(" | ").Count(value => value == "NULL"));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryColumnType_OneColumnAtATime_SameAsDirect(bool prepare)
    {
        // One column per statement: each type's metadata and value encoding is the whole result set.
        await using var table = await TestTable.CreateAsync("types1", Columns, Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES {MinRow}, {MaxRow}, {TypicalRow}", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` (id) VALUES (4)", Ct);

        foreach (string column in Columns.Split(", ").Select(c => c.Split(' ')[0]))
        {
            await Db.AssertSameAsync(fixture, $"SELECT `{column}` FROM `{table}` ORDER BY id", prepare, Ct);
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Expressions_OfEveryType_SameAsDirect(bool prepare)
    {
        // Values the server computes rather than stores: their metadata differs from stored columns.
        await Db.AssertSameAsync(fixture,
            "SELECT CAST(1 AS UNSIGNED), CAST(-1 AS SIGNED), CAST(1.5 AS DECIMAL(5,2)), CAST(1.5 AS DOUBLE), CAST(1.5 AS FLOAT), " +
            "CAST('2024-01-02' AS DATE), CAST('2024-01-02 03:04:05.678' AS DATETIME(3)), CAST('03:04:05' AS TIME), " +
            "CAST('abc' AS BINARY), CAST(X'616263' AS CHAR), JSON_OBJECT('k', 1), JSON_ARRAY(1, 'two', NULL), " +
            "ST_AsText(ST_GeomFromText('POINT(1 2)')), ST_GeomFromText('POINT(1 2)'), UUID() IS NOT NULL, INET6_ATON('::1'), " +
            "CONVERT('ü' USING latin1), CONVERT('ü' USING utf8mb3), _utf8mb4'😀', b'101', 0x41, NULL, " +
            "CAST(NULL AS INT), CAST(NULL AS DATE), CAST(NULL AS CHAR), CAST(NULL AS BINARY), CAST(NULL AS DECIMAL), " +
            "GREATEST(1, 2.5), COALESCE(NULL, 'x'), 9223372036854775807 + 0, 18446744073709551615 + 0",
            prepare, Ct);
    }

    [Fact(Timeout = 60_000)]
    public async Task SameRow_TextAndBinary_AgreeThroughProxy()
    {
        // MySqlConnector decodes both protocols into the same CLR values; through the proxy as directly.
        await using var table = await TestTable.CreateAsync("types_tb",
            "id INT PRIMARY KEY, i BIGINT UNSIGNED, d DECIMAL(28,10), s VARCHAR(50), b VARBINARY(50), dt DATETIME(6), t TIME(6), y YEAR, e ENUM('a','b'), u UUID",
            Ct);
        await Db.AdminAsync(
            $"INSERT INTO app.`{table}` VALUES (1, 18446744073709551615, -12345.0000000001, 'ß😀', X'00FF', '2024-02-29 13:14:15.123456', '-12:00:00.5', 1999, 'b', " +
            "'123e4567-e89b-12d3-a456-426614174000'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", Ct);
        string sql = $"SELECT i, d, s, b, dt, t, y, e, u FROM `{table}` ORDER BY id";
        List<string> text = await Db.AssertSameAsync(fixture, sql, prepare: false, Ct);
        List<string> binary = await Db.AssertSameAsync(fixture, sql, prepare: true, Ct);
        Assert.Equal(text.Where(l => l.StartsWith("  row ", StringComparison.Ordinal)), binary.Where(l => l.StartsWith("  row ", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Geometry_StoredColumns_SameBytesAsDirect()
    {
        await using var table = await TestTable.CreateAsync("types_geo", "id INT PRIMARY KEY, g GEOMETRY, p POINT", Ct);
        await Db.AdminAsync($"INSERT INTO app.`{table}` VALUES (1, ST_GeomFromText('POINT(3 4)', 4326), ST_GeomFromText('POINT(-1.5 2.25)'))", Ct);
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand($"SELECT g, p FROM `{table}`", connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            // MariaDB sends spatial columns as BLOBs (internal format: 4-byte SRID, then WKB); MySqlConnector gives bytes.
            return $"{Db.Render(reader.GetValue(0))} {Db.Render(reader.GetValue(1))} {reader.GetDataTypeName(0)} {reader.GetDataTypeName(1)}";
        });
        Assert.Equal(direct, proxy);
        Assert.StartsWith("byte[25]:E6100000010100000000000000000008400000000000001040", proxy, StringComparison.Ordinal);
    }
}
