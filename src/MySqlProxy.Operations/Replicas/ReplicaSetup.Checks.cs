using System.Globalization;
using MySqlConnector;
using MySqlProxy.Core.Control;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Replicas;

/// <summary>What the set-up checks before it changes anything: the target, then the primary.</summary>
public sealed partial class ReplicaSetup
{
    /// <summary>
    /// The target answers, runs MariaDB no older than the primary, is no backend already, has a server_id of its
    /// own, replicates from nowhere and holds no tables, views, routines or events outside the system schemas.
    /// Reads only.
    /// </summary>
    private async Task<TargetFacts> CheckTargetAsync(Job job, CancellationToken ct)
    {
        ServerLogin target = _request.Target;
        foreach (BackendView backend in _control.Backends())
        {
            if (string.Equals(backend.Name, _request.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new JobFailedException($"a backend named '{backend.Name}' exists already");
            }

            if (backend.Port == target.Port && string.Equals(backend.Host, target.Host, StringComparison.OrdinalIgnoreCase))
            {
                throw new JobFailedException($"{target.Address} is backend '{backend.Name}' ({backend.Role}) already");
            }
        }

        await using MySqlConnection connection = await Sql.OpenAsync(target, "target", ct).ConfigureAwait(false);
        await using MySqlConnection primary = await Sql.OpenAsync(_primary, "primary", ct).ConfigureAwait(false);
        Dictionary<string, object?> t = (await Sql.RowsAsync(connection,
            "SELECT VERSION() AS version, @@server_id AS server_id, @@local_infile AS local_infile, @@gtid_binlog_pos AS binlog_pos, @@log_bin AS log_bin", ct).ConfigureAwait(false))[0];
        Dictionary<string, object?> p = (await Sql.RowsAsync(primary, "SELECT VERSION() AS version, @@server_id AS server_id", ct).ConfigureAwait(false))[0];
        string targetVersion = Sql.Field(t, "version");
        string primaryVersion = Sql.Field(p, "version");
        if (!targetVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase))
        {
            throw new JobFailedException($"{target.Address} runs {targetVersion}, not MariaDB: replica set-up uses MariaDB's GTID replication");
        }

        if (ServerVersion.Compare(targetVersion, primaryVersion) < 0)
        {
            throw new JobFailedException($"{target.Address} runs MariaDB {ServerVersion.Short(targetVersion)}, older than the primary's {ServerVersion.Short(primaryVersion)}: a replica must be the same version or newer");
        }

        long targetId = Convert.ToInt64(t["server_id"], CultureInfo.InvariantCulture);
        long primaryId = Convert.ToInt64(p["server_id"], CultureInfo.InvariantCulture);
        if (targetId == primaryId)
        {
            throw new JobFailedException($"{target.Address} has server_id {targetId}, the primary's: is it the primary? Give the new server a server_id of its own in its configuration");
        }

        foreach (Dictionary<string, object?> replica in await Sql.RowsAsync(primary, "SHOW SLAVE HOSTS", ct).ConfigureAwait(false))
        {
            if (Sql.Field(replica, "Server_id") == targetId.ToString(CultureInfo.InvariantCulture))
            {
                throw new JobFailedException($"{target.Address} has server_id {targetId}, as the replica {Sql.Field(replica, "Host")}:{Sql.Field(replica, "Port")} already replicating from the primary: give it a server_id of its own in its configuration");
            }
        }

        List<Dictionary<string, object?>> sources = await Sql.RowsAsync(connection, "SHOW ALL SLAVES STATUS", ct).ConfigureAwait(false);
        if (sources.Count > 0)
        {
            Dictionary<string, object?> source = sources[0];
            throw new JobFailedException($"{target.Address} is not empty: it is set up to replicate from {Sql.Field(source, "Master_Host")}:{Sql.Field(source, "Master_Port")} (RESET SLAVE ALL there first if that is stale)");
        }

        List<string> objects = await UserObjectsAsync(connection, 6, ct).ConfigureAwait(false);
        if (objects.Count > 0)
        {
            string list = string.Join(", ", objects.Take(5)) + (objects.Count > 5 ? ", ..." : string.Empty);
            throw new JobFailedException($"{target.Address} is not empty: it holds {list}; a new replica must start empty (nothing was changed)");
        }

        var facts = new TargetFacts(targetVersion, targetId, Sql.Text(t["local_infile"]) == "1", Sql.Field(t, "binlog_pos"), Sql.Text(t["log_bin"]) == "1");
        job.Log($"target {target.Address}: {ServerVersion.Short(targetVersion)}, server_id {targetId}, empty");
        return facts;
    }

    /// <summary>Tables, views, routines and events outside the system schemas and the proxy's own (at most <paramref name="limit"/>).</summary>
    internal static async Task<List<string>> UserObjectsAsync(MySqlConnection connection, int limit, CancellationToken ct)
    {
        string excluded = string.Join(", ", SystemSchemas.Append(ProxySchema).Select(Sql.Literal));
        string sql = string.Create(CultureInfo.InvariantCulture, $"""
            (SELECT CONCAT(LOWER(IF(table_type = 'BASE TABLE', 'table', table_type)), ' ', table_schema, '.', table_name) FROM information_schema.tables WHERE table_schema NOT IN ({excluded}) LIMIT {limit})
            UNION ALL (SELECT CONCAT(LOWER(routine_type), ' ', routine_schema, '.', routine_name) FROM information_schema.routines WHERE routine_schema NOT IN ({excluded}) LIMIT {limit})
            UNION ALL (SELECT CONCAT('event ', event_schema, '.', event_name) FROM information_schema.events WHERE event_schema NOT IN ({excluded}) LIMIT {limit})
            """);
        return await Sql.ColumnAsync(connection, sql, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Binary log on (it needs a restart otherwise: refused), ROW format (set when it is not), and a replication
    /// login that works: created with REPLICATION SLAVE only when missing.
    /// </summary>
    private async Task PreparePrimaryAsync(Job job, TargetFacts facts, CancellationToken ct)
    {
        _ = facts;
        await using MySqlConnection primary = await Sql.OpenAsync(_primary, "primary", ct).ConfigureAwait(false);
        Dictionary<string, object?> p = (await Sql.RowsAsync(primary,
            "SELECT @@log_bin AS log_bin, @@binlog_format AS format, @@gtid_binlog_pos AS pos, @@read_only AS ro", ct).ConfigureAwait(false))[0];
        if (Sql.Text(p["log_bin"]) != "1")
        {
            throw new JobFailedException($"the primary {_primary.Address} has no binary log (log_bin is OFF): turn it on in its configuration and restart it; nothing was changed");
        }

        string format = Sql.Field(p, "format");
        if (!string.Equals(format, "ROW", StringComparison.OrdinalIgnoreCase))
        {
            await Sql.ExecAsync(primary, "SET GLOBAL binlog_format = 'ROW'", ct).ConfigureAwait(false);
            job.Log($"the primary's binlog_format was {format}; set to ROW for new sessions (put binlog_format=ROW in its configuration too)");
        }

        string user = _options.ReplicationUser;
        long exists = Convert.ToInt64(await Sql.ScalarAsync(primary,
            $"SELECT COUNT(*) FROM mysql.user WHERE User = {Sql.Literal(user)}", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (exists == 0)
        {
            // Replicated to the existing replicas as well, so any of them could serve as a primary later.
            await Sql.ExecAsync(primary, $"CREATE USER {Sql.Account(user, "%")} IDENTIFIED BY {Sql.Literal(_options.ReplicationPassword)}", ct).ConfigureAwait(false);
            await Sql.ExecAsync(primary, $"GRANT REPLICATION SLAVE ON *.* TO {Sql.Account(user, "%")}", ct).ConfigureAwait(false);
            job.Log($"created the replication user '{user}'@'%' on the primary with REPLICATION SLAVE only");
        }

        // The login must work from here as it will from the replica (same password, REPLICATION SLAVE).
        var replication = _primary with { User = user, Password = _options.ReplicationPassword };
        await using MySqlConnection check = await Sql.OpenAsync(replication, "primary (as the replication user)", ct).ConfigureAwait(false);
        List<string> grants = await Sql.ColumnAsync(check, "SHOW GRANTS", ct).ConfigureAwait(false);
        if (!grants.Any(g => g.Contains("REPLICATION SLAVE", StringComparison.OrdinalIgnoreCase) || g.Contains("ALL PRIVILEGES ON *.*", StringComparison.OrdinalIgnoreCase)))
        {
            throw new JobFailedException($"the replication user '{user}' exists on the primary without REPLICATION SLAVE: GRANT REPLICATION SLAVE ON *.* TO it (left as it is)");
        }

        job.Log($"primary {_primary.Address}: binary log on, ROW, GTID position '{Sql.Field(p, "pos")}', replication user '{user}' ready");
    }

    /// <summary>gtid_slave_pos from the seed, CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos, read_only, START SLAVE; waits for both threads.</summary>
    private async Task StartReplicationAsync(Job job, string gtidPosition, CancellationToken ct)
    {
        await using MySqlConnection target = await Sql.OpenAsync(_request.Target, "target", ct).ConfigureAwait(false);
        string binlogPos = await Sql.TextAsync(target, "SELECT @@gtid_binlog_pos", ct).ConfigureAwait(false) ?? string.Empty;
        if (binlogPos.Length > 0)
        {
            // The empty server's own history (users created while binlogging) would mix into its GTID position
            // and clash with the primary's under gtid_strict_mode; the target was checked empty.
            await Sql.ExecAsync(target, "RESET MASTER", ct).ConfigureAwait(false);
            job.Log($"the target's own binary log history ('{binlogPos}') was reset");
        }

        string host = _request.MasterHost ?? _primary.Host;
        int port = _request.MasterPort ?? _primary.Port;
        await Sql.ExecAsync(target, "STOP SLAVE", ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, $"SET GLOBAL gtid_slave_pos = {Sql.Literal(gtidPosition)}", ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, string.Create(CultureInfo.InvariantCulture,
            $"CHANGE MASTER TO MASTER_HOST = {Sql.Literal(host)}, MASTER_PORT = {port}, MASTER_USER = {Sql.Literal(_options.ReplicationUser)}, MASTER_PASSWORD = {Sql.Literal(_options.ReplicationPassword)}, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 2"), ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, "SET GLOBAL read_only = ON", ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, "START SLAVE", ct).ConfigureAwait(false);
        job.Log(string.Create(CultureInfo.InvariantCulture, $"replicating from {host}:{port} as '{_options.ReplicationUser}' from GTID '{gtidPosition}' (read_only ON)"));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            List<Dictionary<string, object?>> rows = await Sql.RowsAsync(target, "SHOW SLAVE STATUS", ct).ConfigureAwait(false);
            Dictionary<string, object?>? status = rows.Count > 0 ? rows[0] : null;
            string io = status is null ? "No" : Sql.Field(status, "Slave_IO_Running");
            string sql = status is null ? "No" : Sql.Field(status, "Slave_SQL_Running");
            if (io == "Yes" && sql == "Yes")
            {
                return;
            }

            string ioError = status is null ? string.Empty : Sql.Field(status, "Last_IO_Error");
            string sqlError = status is null ? string.Empty : Sql.Field(status, "Last_SQL_Error");
            if ((sql == "No" && sqlError.Length > 0) || (io == "No" && ioError.Length > 0) || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new JobFailedException($"replication did not start (IO thread: {io}{(ioError.Length > 0 ? " - " + ioError : string.Empty)}; SQL thread: {sql}{(sqlError.Length > 0 ? " - " + sqlError : string.Empty)})");
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Undoes <see cref="StartReplicationAsync"/> on the target (best effort).</summary>
    private async Task ResetReplicationAsync(Job job, CancellationToken ct)
    {
        try
        {
            await using MySqlConnection target = await Sql.OpenAsync(_request.Target, "target", ct).ConfigureAwait(false);
            await Sql.ExecAsync(target, "STOP SLAVE", ct).ConfigureAwait(false);
            await Sql.ExecAsync(target, "RESET SLAVE ALL", ct).ConfigureAwait(false);
            await Sql.ExecAsync(target, "SET GLOBAL gtid_slave_pos = ''", ct).ConfigureAwait(false);
            await Sql.ExecAsync(target, "SET GLOBAL read_only = OFF", ct).ConfigureAwait(false);
            job.Log("replication on the target stopped and reset");
        }
        catch (Exception ex) when (ex is MySqlException or JobFailedException or OperationCanceledException or InvalidOperationException)
        {
            job.Log($"could not reset replication on the target: {ex.Message}");
        }
    }
}

/// <summary>What the target check learnt.</summary>
internal sealed record TargetFacts(string Version, long ServerId, bool LocalInfile, string GtidBinlogPos, bool LogBin);
