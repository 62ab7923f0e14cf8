using System.Security.Cryptography;
using MySqlConnector;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests;

/// <summary>
/// Payloads of 16 MiB and more travel as several packets (the first ones exactly 2^24-1 bytes) in both
/// directions; the servers allow 256 MiB.
/// </summary>
public sealed class LargePacketTests(ProxyFixture fixture)
{
    private const int MaxPayload = 0xFFFFFF;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Blob20MiB_InsertedWithParameter_ReadsBackIdentical(bool prepare)
    {
        byte[] data = new byte[20 * 1024 * 1024];
        new Random(20).NextBytes(data);
        string expected = Db.Sha256(data);
        await using var table = await TestTable.CreateAsync(prepare ? "big_ps" : "big_txt", "id INT PRIMARY KEY, data LONGBLOB", Ct);

        await using (var connection = await Db.OpenAsync(fixture.ConnectionString(extra: prepare ? Db.Prepared : string.Empty), Ct))
        {
            await using (var insert = new MySqlCommand($"INSERT INTO `{table}` (id, data) VALUES (@id, @data)", connection))
            {
                insert.Parameters.AddWithValue("@id", 1);
                insert.Parameters.AddWithValue("@data", data);
                if (prepare)
                {
                    await insert.PrepareAsync(Ct);
                }

                Assert.Equal(1, await insert.ExecuteNonQueryAsync(Ct));
            }

            // The server got every byte.
            Assert.Equal(expected, ((string)(await Db.ScalarAsync(connection, $"SELECT UPPER(SHA2(data, 256)) FROM `{table}`", Ct))!));

            // And the proxy gives every byte back, in the protocol the statement used.
            await using var select = new MySqlCommand($"SELECT data, LENGTH(data) FROM `{table}` WHERE id = @id", connection);
            select.Parameters.AddWithValue("@id", 1);
            if (prepare)
            {
                await select.PrepareAsync(Ct);
            }

            await using var reader = await select.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            byte[] read = (byte[])reader.GetValue(0);
            Assert.Equal(data.Length, read.Length);
            Assert.Equal(expected, Db.Sha256(read));
            Assert.Equal(data.Length, reader.GetInt64(1));
        }

        // Direct reads of the same row agree.
        await using var direct = await Db.OpenAsync(Topology.Direct(), Ct);
        await using var check = new MySqlCommand($"SELECT data FROM `{table}` WHERE id = 1", direct);
        Assert.Equal(expected, Db.Sha256((byte[])(await check.ExecuteScalarAsync(Ct))!));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RowOver16MiB_OfColumnsUnder16MiB_SameAsDirect(bool prepare)
    {
        // Two 9 MiB columns: no single value needs splitting, the row does.
        List<string> result = await Db.AssertSameAsync(fixture,
            "SELECT REPEAT('a', 9437184) AS a, @n AS n, REPEAT('b', 9437184) AS b", prepare, Ct, ("@n", 42));
        Assert.Contains(result, line => line.StartsWith("  row string[9437184]:", StringComparison.Ordinal) && line.Contains("| Int", StringComparison.Ordinal));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(false, MaxPayload - 4)]
    [InlineData(false, MaxPayload - 5)]
    [InlineData(false, MaxPayload - 3)]
    [InlineData(true, MaxPayload - 6)]
    [InlineData(true, MaxPayload - 7)]
    public async Task RowPayloadAtSplitBoundary_SameAsDirect(bool prepare, int length)
    {
        // Text row: lenenc(0xFD + 3 bytes) + value; binary row: 0x00 + NULL bitmap + lenenc + value. At exactly
        // 2^24-1 bytes of payload an empty packet follows to say the row ends there.
        List<string> result = await Db.AssertSameAsync(fixture, $"SELECT REPEAT('x', {length}) AS v UNION ALL SELECT 'after'", prepare, Ct);
        Assert.Contains(result, line => line.StartsWith($"  row string[{length}]:", StringComparison.Ordinal));
        Assert.Contains("  row string:after", result);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(MaxPayload - 1)]
    [InlineData(MaxPayload + 1)]
    [InlineData(2 * MaxPayload + 10)]
    public async Task CommandAtSplitBoundary_ReachesServerWhole(int payloadLength)
    {
        // COM_QUERY payload = 1 command byte + SQL; pad a string literal so the payload is exactly the length asked for.
        // Exactly 2^24-1 is left to RawProtocolTests: MySqlConnector 2.6 does not send the empty packet that must
        // follow such a payload, so it hangs directly against MariaDB as well.
        const string Head = "SELECT LENGTH('";
        const string Tail = "') AS n";
        int padding = payloadLength - 1 - Head.Length - Tail.Length;
        string sql = Head + new string('p', padding) + Tail;
        (long direct, long proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            long n = Convert.ToInt64(await Db.ScalarAsync(connection, sql, Ct), System.Globalization.CultureInfo.InvariantCulture);

            // The connection is still in step afterwards.
            Assert.Equal(7L, Convert.ToInt64(await Db.ScalarAsync(connection, "SELECT 7", Ct), System.Globalization.CultureInfo.InvariantCulture));
            return n;
        });
        Assert.Equal(padding, direct);
        Assert.Equal(direct, proxy);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(100_000)]
    [InlineData(2 * 1024 * 1024)]
    [InlineData(17 * 1024 * 1024)]
    public async Task PreparedStatementWithLongText_SameAsDirect(int literalLength)
    {
        // COM_STMT_PREPARE carries the SQL text: a long literal makes the packet large (split past 16 MiB).
        string sql = $"SELECT LENGTH('{new string('L', literalLength)}') + @p AS n, CONNECTION_ID() > 0 AS has_id";
        List<string> proxy = await Db.AssertSameAsync(fixture, sql, prepare: true, Ct, ("@p", 1));
        Assert.Contains(proxy, line => line.StartsWith($"  row Int64:{literalLength + 1} ", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task ManyLargeRows_StreamedThrough_SameHashAsDirect()
    {
        // 40 rows of 1 MiB: the proxy must stream without holding the whole result.
        (string direct, string proxy) = await Db.BothAsync(fixture, string.Empty, async cs =>
        {
            await using var connection = await Db.OpenAsync(cs, Ct);
            await using var command = new MySqlCommand("SELECT seq, REPEAT(CHAR(65 + seq % 26 USING ascii), 1048576 + seq) FROM seq_1_to_40", connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            while (await reader.ReadAsync(Ct))
            {
                hash.AppendData(BitConverter.GetBytes(reader.GetInt64(0)));
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(reader.GetString(1)));
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        });
        Assert.Equal(direct, proxy);
    }
}
