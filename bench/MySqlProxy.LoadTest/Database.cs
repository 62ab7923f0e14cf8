using System.Globalization;
using System.Text;
using MySqlConnector;

namespace MySqlProxy.LoadTest;

/// <summary>Connection strings, the sbtest tables (--prepare) and waiting for replicas.</summary>
internal static class Database
{
    public static string ConnectionString(string host, int port, string user, string password, string? database)
    {
        var b = new MySqlConnectionStringBuilder
        {
            Server = host,
            Port = (uint)port,
            UserID = user,
            Password = password,
            Pooling = false,              // one real connection per worker, opened once
            SslMode = MySqlSslMode.None,  // the proxy speaks no TLS yet; keep every target alike
            ConnectionTimeout = 15,
            DefaultCommandTimeout = 60,
            AllowPublicKeyRetrieval = true,
        };
        if (!string.IsNullOrEmpty(database)) b.Database = database;
        return b.ConnectionString;
    }

    /// <summary>
    /// Drops and re-creates sbtest1..N on the primary (sysbench's oltp_common schema) and fills them in
    /// batches of 1,000 rows; returns the primary's GTID position afterwards.
    /// </summary>
    public static async Task<string> PrepareTablesAsync(LoadTestOptions o, TextWriter log, CancellationToken ct)
    {
        Endpoint primary = o.EffectivePrimary;
        await using var conn = new MySqlConnection(ConnectionString(primary.Host, primary.Port, o.User, o.Password, o.Database));
        await conn.OpenAsync(ct).ConfigureAwait(false);
        var random = new Random(o.Seed);
        for (int t = 1; t <= o.Tables; t++)
        {
            await ExecAsync(conn, $"DROP TABLE IF EXISTS sbtest{t}", ct).ConfigureAwait(false);
            await ExecAsync(conn, $"""
                CREATE TABLE sbtest{t} (
                  id INT NOT NULL AUTO_INCREMENT,
                  k INT NOT NULL DEFAULT 0,
                  c CHAR(120) NOT NULL DEFAULT '',
                  pad CHAR(60) NOT NULL DEFAULT '',
                  PRIMARY KEY (id),
                  KEY k_{t} (k)
                ) ENGINE=InnoDB
                """, ct).ConfigureAwait(false);
            for (int from = 1; from <= o.TableSize; from += 1000)
            {
                int to = Math.Min(o.TableSize, from + 999);
                var sql = new StringBuilder($"INSERT INTO sbtest{t} (id, k, c, pad) VALUES ");
                for (int id = from; id <= to; id++)
                {
                    if (id > from) sql.Append(',');
                    sql.Append(CultureInfo.InvariantCulture, $"({id},{random.Next(1, o.TableSize + 1)},'")
                       .Append(Workloads.WorkerScript.RandomDigits(random, 10)).Append("','")
                       .Append(Workloads.WorkerScript.RandomDigits(random, 5)).Append("')");
                }
                await ExecAsync(conn, sql.ToString(), ct).ConfigureAwait(false);
            }
            await log.WriteLineAsync($"prepare: sbtest{t} on {primary}: {o.TableSize} rows").ConfigureAwait(false);
        }
        return await GtidPositionAsync(conn, ct).ConfigureAwait(false);
    }

    public static async Task<string> PrimaryPositionAsync(LoadTestOptions o, CancellationToken ct)
    {
        Endpoint primary = o.EffectivePrimary;
        await using var conn = new MySqlConnection(ConnectionString(primary.Host, primary.Port, o.User, o.Password, null));
        await conn.OpenAsync(ct).ConfigureAwait(false);
        return await GtidPositionAsync(conn, ct).ConfigureAwait(false);
    }

    /// <summary>Waits until every replica has applied <paramref name="gtid"/> (MASTER_GTID_WAIT).</summary>
    public static async Task WaitForReplicasAsync(LoadTestOptions o, string gtid, TimeSpan timeout, TextWriter log, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(gtid)) return;
        foreach (Endpoint r in o.Replicas)
        {
            await using var conn = new MySqlConnection(ConnectionString(r.Host, r.Port, o.User, o.Password, null));
            await conn.OpenAsync(ct).ConfigureAwait(false);
            await using var cmd = new MySqlCommand("SELECT MASTER_GTID_WAIT(@g, @t)", conn);
            cmd.CommandTimeout = (int)timeout.TotalSeconds + 10;
            cmd.Parameters.AddWithValue("@g", gtid);
            cmd.Parameters.AddWithValue("@t", timeout.TotalSeconds);
            object? result = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            if (Convert.ToInt32(result, CultureInfo.InvariantCulture) != 0)
                throw new InvalidOperationException($"replica {r} did not reach GTID {gtid} within {timeout.TotalSeconds:0} s");
        }
        if (o.Replicas.Count > 0)
            await log.WriteLineAsync($"replicas {string.Join(", ", o.Replicas)} at {gtid}").ConfigureAwait(false);
    }

    public static async Task ExecAsync(MySqlConnection conn, string sql, CancellationToken ct)
    {
#pragma warning disable CA2100 // the load test's own statements
        await using var cmd = new MySqlCommand(sql, conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<string> GtidPositionAsync(MySqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand("SELECT @@gtid_binlog_pos", conn);
        return Convert.ToString(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
