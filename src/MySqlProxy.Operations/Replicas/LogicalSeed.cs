using System.Collections.Concurrent;
using System.Globalization;
using MySqlConnector;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Replicas;

/// <summary>
/// Seeds a new replica over the MySQL protocol alone (no agent, as with a managed server): a consistent snapshot of
/// the primary and the binlog position that matches it, copied table by table in parallel with LOAD DATA LOCAL
/// (MySqlBulkCopy), everything written on the target with sql_log_bin=0 so that it starts with the primary's GTID
/// history only.
/// </summary>
/// <remarks>
/// <para>Consistency: MariaDB gives the binlog position of a <c>START TRANSACTION WITH CONSISTENT SNAPSHOT</c> in the
/// status variables <c>binlog_snapshot_file</c>/<c>binlog_snapshot_position</c> (not in <c>@@gtid_binlog_pos</c>,
/// which is the live value), turned into a GTID position with <c>BINLOG_GTID_POS()</c>
/// (https://mariadb.com/docs/server/ha-and-performance/standard-replication/enhancements-for-start-transaction-with-consistent-snapshot).
/// Several readers get the same snapshot by starting their transactions while one more connection holds
/// <c>BACKUP STAGE BLOCK_COMMIT</c> for a few milliseconds (commits wait, nothing fails); their snapshot positions
/// are compared to prove it. Without the RELOAD privilege for BACKUP STAGE one reader copies everything.</para>
/// <para>The proxy's <c>mysqlproxy.heartbeat</c> is copied with the snapshot like a user table: it was created long
/// before, so its creation never arrives through replication, and its rows must be there because the primary
/// updates the row in place (REPLACE, logged as a row update) every monitor interval.</para>
/// <para>Not copied: the system schemas, roles, the history of system-versioned tables. DDL on the primary while
/// the copy runs waits for it (the readers hold metadata locks) and blocks writes to that table behind it.</para>
/// </remarks>
public sealed class LogicalSeed : ISeedSource
{
    private const string TargetSession =
        "SET SESSION sql_log_bin = 0, foreign_key_checks = 0, unique_checks = 0, sql_mode = 'NO_AUTO_VALUE_ON_ZERO', time_zone = '+00:00', net_read_timeout = 3600, net_write_timeout = 3600";

    private const string ReaderSession =
        "SET SESSION time_zone = '+00:00', net_read_timeout = 3600, net_write_timeout = 3600; SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ";

    // What to drop on the target, newest first, when the set-up fails.
    private readonly ConcurrentStack<string> _undo = new();

    public string Name => "logical";

    public async Task<SeedResult> SeedAsync(SeedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        Job job = context.Job;
        await using MySqlConnection meta = await Sql.OpenAsync(context.Primary, "primary", ct).ConfigureAwait(false);
        List<TableInfo> tables = await ListTablesAsync(meta, ct).ConfigureAwait(false);
        List<string> schemas = await Sql.ColumnAsync(meta,
            $"SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN ({string.Join(", ", ReplicaSetup.SystemSchemas.Select(Sql.Literal))}) ORDER BY schema_name", ct).ConfigureAwait(false);
        int readers = Math.Clamp(Math.Min(context.Request.Parallel, tables.Count(t => t.Kind == TableKind.Table)), 1, 64);

        job.SetStep("seed (logical): snapshot");
        var pool = new List<MySqlConnection>();
        try
        {
            string gtid = await OpenSnapshotAsync(context, readers, pool, ct).ConfigureAwait(false);
            MySqlConnection reader = pool[0];

            await using MySqlConnection target = await Sql.OpenAsync(context.Target, "target", ct, localInfile: true).ConfigureAwait(false);
            await Sql.ExecAsync(target, TargetSession, ct).ConfigureAwait(false);
            if (await Sql.TextAsync(target, "SELECT @@local_infile", ct).ConfigureAwait(false) != "1")
            {
                await Sql.ExecAsync(target, "SET GLOBAL local_infile = ON", ct).ConfigureAwait(false);
                job.Log("local_infile was OFF on the target; turned ON (LOAD DATA LOCAL loads the copy)");
            }

            job.SetStep("seed (logical): users");
            await CopyUsersAsync(job, reader, target, ct).ConfigureAwait(false);

            job.SetStep("seed (logical): schema");
            await CopySchemasAsync(reader, target, schemas, ct).ConfigureAwait(false);
            foreach (TableInfo table in tables.Where(t => t.Kind != TableKind.View))
            {
                await CreateTableAsync(reader, target, table, ct).ConfigureAwait(false);
            }

            await CopyRoutinesAsync(reader, target, ct).ConfigureAwait(false);
            await CreateViewsAsync(reader, target, [.. tables.Where(t => t.Kind == TableKind.View)], ct).ConfigureAwait(false);

            job.SetStep("seed (logical): data");
            List<TableInfo> data = [.. tables.Where(t => t.Kind == TableKind.Table).OrderByDescending(t => t.DataLength)];
            long total = Math.Max(1, data.Sum(t => t.DataLength));
            job.SetTotal(total);
            (long rows, long bytes) = await CopyDataAsync(context, pool, data, ct).ConfigureAwait(false);
            foreach (TableInfo sequence in tables.Where(t => t.Kind == TableKind.Sequence))
            {
                await CopySequenceAsync(reader, target, sequence, ct).ConfigureAwait(false);
            }

            job.SetStep("seed (logical): triggers and events");
            await CopyTriggersAsync(reader, target, ct).ConfigureAwait(false);
            await CopyEventsAsync(reader, target, ct).ConfigureAwait(false);
            return new SeedResult(gtid, bytes, data.Count, rows);
        }
        finally
        {
            foreach (MySqlConnection connection in pool)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async Task CleanUpAsync(SeedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_undo.IsEmpty)
        {
            return;
        }

        await using MySqlConnection target = await Sql.OpenAsync(context.Target, "target", ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, "SET SESSION sql_log_bin = 0, foreign_key_checks = 0", ct).ConfigureAwait(false);
        int undone = 0;
        while (_undo.TryPop(out string? statement))
        {
            try
            {
                await Sql.ExecAsync(target, statement, ct).ConfigureAwait(false);
                undone++;
            }
            catch (MySqlException ex)
            {
                context.Job.Log($"clean-up: '{statement}' failed: {ex.Message}");
            }
        }

        context.Job.Log(string.Create(CultureInfo.InvariantCulture, $"clean-up: {undone} object(s) created on the target dropped again"));
    }

    /// <summary>
    /// Opens <paramref name="count"/> reader connections on the primary, all in one consistent snapshot, and returns
    /// the GTID position of that snapshot.
    /// </summary>
    private static async Task<string> OpenSnapshotAsync(SeedContext context, int count, List<MySqlConnection> pool, CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            MySqlConnection connection = await Sql.OpenAsync(context.Primary, "primary", ct).ConfigureAwait(false);
            pool.Add(connection);
            await Sql.ExecAsync(connection, ReaderSession, ct).ConfigureAwait(false);
        }

        MySqlConnection? blocker = null;
        if (count > 1)
        {
            blocker = await Sql.OpenAsync(context.Primary, "primary", ct).ConfigureAwait(false);
            try
            {
                await Sql.ExecAsync(blocker, "SET SESSION lock_wait_timeout = 10", ct).ConfigureAwait(false);
                await Sql.ExecAsync(blocker, "BACKUP STAGE START", ct).ConfigureAwait(false);
                await Sql.ExecAsync(blocker, "BACKUP STAGE BLOCK_COMMIT", ct).ConfigureAwait(false);
            }
            catch (MySqlException ex)
            {
                context.Job.Log($"BACKUP STAGE BLOCK_COMMIT refused ({ex.Message}): copying with one reader");
                await blocker.DisposeAsync().ConfigureAwait(false);
                blocker = null;
                foreach (MySqlConnection extra in pool.Skip(1))
                {
                    await extra.DisposeAsync().ConfigureAwait(false);
                }

                pool.RemoveRange(1, pool.Count - 1);
            }
        }

        var positions = new List<(string File, string Position)>();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (MySqlConnection connection in pool)
            {
                await Sql.ExecAsync(connection, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", ct).ConfigureAwait(false);
                Dictionary<string, string> status = (await Sql.RowsAsync(connection, "SHOW STATUS LIKE 'binlog_snapshot_%'", ct).ConfigureAwait(false))
                    .ToDictionary(r => Sql.Field(r, "Variable_name"), r => Sql.Field(r, "Value"), StringComparer.OrdinalIgnoreCase);
                positions.Add((status.GetValueOrDefault("Binlog_snapshot_file", string.Empty), status.GetValueOrDefault("Binlog_snapshot_position", string.Empty)));
            }

            if (blocker is not null)
            {
                await Sql.ExecAsync(blocker, "BACKUP STAGE END", ct).ConfigureAwait(false);
                context.Job.Log(string.Create(CultureInfo.InvariantCulture, $"{pool.Count} readers share one snapshot (commits on the primary waited {clock.Elapsed.TotalMilliseconds:F0} ms)"));
            }
        }
        finally
        {
            if (blocker is not null)
            {
                await blocker.DisposeAsync().ConfigureAwait(false);
            }
        }

        (string file, string position) = positions[0];
        if (file.Length == 0 || position.Length == 0)
        {
            throw new JobFailedException("the primary gave no binlog position for the snapshot (binlog_snapshot_file is empty: is its binary log on?)");
        }

        if (positions.Any(p => p != positions[0]))
        {
            throw new JobFailedException($"the readers' snapshots differ ({string.Join(", ", positions.Select(p => $"{p.File}:{p.Position}"))}): BACKUP STAGE BLOCK_COMMIT did not hold commits; nothing was copied");
        }

        string gtid = await Sql.TextAsync(pool[0],
            $"SELECT BINLOG_GTID_POS({Sql.Literal(file)}, {long.Parse(position, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)})", ct).ConfigureAwait(false)
            ?? throw new JobFailedException($"BINLOG_GTID_POS('{file}', {position}) is NULL on the primary: the snapshot's binlog file is gone");
        context.Job.Log($"consistent snapshot at {file}:{position} = GTID position '{gtid}'");
        return gtid;
    }

    /// <summary>Tables, views and sequences of every schema but the system ones (the proxy's own included).</summary>
    internal static async Task<List<TableInfo>> ListTablesAsync(MySqlConnection connection, CancellationToken ct)
    {
        string sql = $"""
            SELECT table_schema, table_name, table_type, COALESCE(data_length, 0) AS data_length, COALESCE(table_rows, 0) AS table_rows
            FROM information_schema.tables WHERE table_schema NOT IN ({string.Join(", ", ReplicaSetup.SystemSchemas.Select(Sql.Literal))})
            ORDER BY table_schema, table_name
            """;
        var tables = new List<TableInfo>();
        foreach (Dictionary<string, object?> row in await Sql.RowsAsync(connection, sql, ct).ConfigureAwait(false))
        {
            string type = Sql.Field(row, "table_type");
            TableKind kind = type switch
            {
                "VIEW" => TableKind.View,
                "SEQUENCE" => TableKind.Sequence,
                _ => TableKind.Table,
            };
            if (type == "TEMPORARY")
            {
                continue;
            }

            tables.Add(new TableInfo(Sql.Field(row, "table_schema"), Sql.Field(row, "table_name"), kind,
                Convert.ToInt64(row["data_length"], CultureInfo.InvariantCulture), Convert.ToInt64(row["table_rows"], CultureInfo.InvariantCulture)));
        }

        return tables;
    }

    /// <summary>Accounts of the primary that the target lacks, with their grants (roles and built-in accounts aside).</summary>
    private async Task CopyUsersAsync(Job job, MySqlConnection reader, MySqlConnection target, CancellationToken ct)
    {
        const string Accounts = "SELECT User, Host FROM mysql.user WHERE is_role = 'N' AND User NOT IN ('', 'root', 'mariadb.sys', 'mysql', 'PUBLIC')";
        var existing = new HashSet<string>(
            (await Sql.RowsAsync(target, "SELECT User, Host FROM mysql.user", ct).ConfigureAwait(false)).Select(r => Sql.Field(r, "User") + "@" + Sql.Field(r, "Host")),
            StringComparer.Ordinal);
        int created = 0;
        foreach (Dictionary<string, object?> row in await Sql.RowsAsync(reader, Accounts, ct).ConfigureAwait(false))
        {
            string user = Sql.Field(row, "User");
            string host = Sql.Field(row, "Host");
            if (existing.Contains(user + "@" + host))
            {
                continue;
            }

            string account = Sql.Account(user, host);
            string create = await Sql.TextAsync(reader, $"SHOW CREATE USER {account}", ct).ConfigureAwait(false) ?? string.Empty;
            List<string> grants = await Sql.ColumnAsync(reader, $"SHOW GRANTS FOR {account}", ct).ConfigureAwait(false);
            try
            {
                await Sql.ExecAsync(target, create, ct).ConfigureAwait(false);
                _undo.Push($"DROP USER IF EXISTS {account}");
                foreach (string grant in grants)
                {
                    await Sql.ExecAsync(target, grant, ct).ConfigureAwait(false);
                }

                created++;
            }
            catch (MySqlException ex)
            {
                // A login missing on a replica fails that user's reads there, so say which.
                job.Log($"account {user}@{host} not copied completely: {ex.Message}");
            }
        }

        job.Log(string.Create(CultureInfo.InvariantCulture, $"{created} account(s) copied with their grants"));
    }

    private async Task CopySchemasAsync(MySqlConnection reader, MySqlConnection target, List<string> schemas, CancellationToken ct)
    {
        var existing = new HashSet<string>(await Sql.ColumnAsync(target, "SELECT schema_name FROM information_schema.schemata", ct).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (string schema in schemas)
        {
            Dictionary<string, object?> charset = (await Sql.RowsAsync(reader,
                $"SELECT default_character_set_name AS cs, default_collation_name AS co FROM information_schema.schemata WHERE schema_name = {Sql.Literal(schema)}", ct).ConfigureAwait(false))[0];
            string options = $"CHARACTER SET {Sql.Field(charset, "cs")} COLLATE {Sql.Field(charset, "co")}";
            if (existing.Contains(schema))
            {
                await Sql.ExecAsync(target, $"ALTER DATABASE {Sql.Id(schema)} {options}", ct).ConfigureAwait(false);
            }
            else
            {
                await Sql.ExecAsync(target, $"CREATE DATABASE {Sql.Id(schema)} {options}", ct).ConfigureAwait(false);
                _undo.Push($"DROP DATABASE IF EXISTS {Sql.Id(schema)}");
            }
        }
    }

    private async Task CreateTableAsync(MySqlConnection reader, MySqlConnection target, TableInfo table, CancellationToken ct)
    {
        List<Dictionary<string, object?>> rows;
        try
        {
            rows = await Sql.RowsAsync(reader, $"SHOW CREATE TABLE {Sql.Id(table.Schema, table.Name)}", ct).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.NoSuchTable)
        {
            // Dropped on the primary after it was listed: its DROP comes after the snapshot and replicates.
            table.Dropped = true;
            return;
        }

        string create = Sql.Text(rows[0].Values.ElementAt(1));
        await target.ChangeDatabaseAsync(table.Schema, ct).ConfigureAwait(false);
        if (table.Schema == ReplicaSetup.ProxySchema)
        {
            // The target may have the proxy's table from an earlier life; the primary's, as of the snapshot, wins.
            await Sql.ExecAsync(target, $"DROP TABLE IF EXISTS {Sql.Id(table.Schema, table.Name)}", ct).ConfigureAwait(false);
        }

        await Sql.ExecAsync(target, create, ct).ConfigureAwait(false);
        _undo.Push($"DROP {(table.Kind == TableKind.Sequence ? "SEQUENCE" : "TABLE")} IF EXISTS {Sql.Id(table.Schema, table.Name)}");
    }

    private async Task CopyRoutinesAsync(MySqlConnection reader, MySqlConnection target, CancellationToken ct)
    {
        List<Dictionary<string, object?>> routines = await Sql.RowsAsync(reader,
            $"SELECT routine_schema, routine_name, routine_type FROM information_schema.routines WHERE routine_schema NOT IN ({string.Join(", ", ReplicaSetup.SystemSchemas.Select(Sql.Literal))}) ORDER BY routine_schema, routine_name", ct).ConfigureAwait(false);
        foreach (Dictionary<string, object?> routine in routines)
        {
            string schema = Sql.Field(routine, "routine_schema");
            string name = Sql.Field(routine, "routine_name");
            string type = Sql.Field(routine, "routine_type"); // PROCEDURE, FUNCTION (PACKAGE aside)
            if (type is not ("PROCEDURE" or "FUNCTION"))
            {
                continue;
            }

            Dictionary<string, object?> shown = (await Sql.RowsAsync(reader, $"SHOW CREATE {type} {Sql.Id(schema, name)}", ct).ConfigureAwait(false))[0];
            string create = Sql.Field(shown, type == "PROCEDURE" ? "Create Procedure" : "Create Function");
            await ExecInModeAsync(target, schema, Sql.Field(shown, "sql_mode"), create, ct).ConfigureAwait(false);
            _undo.Push($"DROP {type} IF EXISTS {Sql.Id(schema, name)}");
        }
    }

    /// <summary>Views in dependency order: each round creates those whose tables and views exist already.</summary>
    private async Task CreateViewsAsync(MySqlConnection reader, MySqlConnection target, List<TableInfo> views, CancellationToken ct)
    {
        var pending = new List<(TableInfo View, string Create)>();
        foreach (TableInfo view in views)
        {
            Dictionary<string, object?> shown = (await Sql.RowsAsync(reader, $"SHOW CREATE VIEW {Sql.Id(view.Schema, view.Name)}", ct).ConfigureAwait(false))[0];
            pending.Add((view, Sql.Field(shown, "Create View")));
        }

        while (pending.Count > 0)
        {
            var failed = new List<(TableInfo View, string Create)>();
            MySqlException? last = null;
            foreach ((TableInfo view, string create) in pending)
            {
                try
                {
                    await target.ChangeDatabaseAsync(view.Schema, ct).ConfigureAwait(false);
                    await Sql.ExecAsync(target, create, ct).ConfigureAwait(false);
                    _undo.Push($"DROP VIEW IF EXISTS {Sql.Id(view.Schema, view.Name)}");
                }
                catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.NoSuchTable or MySqlErrorCode.ViewInvalid or MySqlErrorCode.StoredProcedureDoesNotExist)
                {
                    failed.Add((view, create));
                    last = ex;
                }
            }

            if (failed.Count == pending.Count)
            {
                throw new JobFailedException($"view {failed[0].View.Schema}.{failed[0].View.Name} cannot be created on the target: {last?.Message}");
            }

            pending = failed;
        }
    }

    /// <summary>Copies the tables' rows, <paramref name="readers"/>.Count at once, each reader with a target connection of its own.</summary>
    private static async Task<(long Rows, long Bytes)> CopyDataAsync(SeedContext context, List<MySqlConnection> readers, List<TableInfo> tables, CancellationToken ct)
    {
        var queue = new ConcurrentQueue<TableInfo>(tables);
        long rows = 0;
        long bytes = 0;
        async Task WorkAsync(MySqlConnection reader)
        {
            await using MySqlConnection target = await Sql.OpenAsync(context.Target, "target", ct, localInfile: true).ConfigureAwait(false);
            await Sql.ExecAsync(target, TargetSession, ct).ConfigureAwait(false);
            while (queue.TryDequeue(out TableInfo? table))
            {
                (long copied, long moved) = await CopyTableAsync(context.Job, reader, target, table, ct).ConfigureAwait(false);
                Interlocked.Add(ref rows, copied);
                Interlocked.Add(ref bytes, moved);
            }
        }

        await Task.WhenAll(readers.Select(WorkAsync)).ConfigureAwait(false);
        return (rows, bytes);
    }

    private static async Task<(long Rows, long Bytes)> CopyTableAsync(Job job, MySqlConnection reader, MySqlConnection target, TableInfo table, CancellationToken ct)
    {
        List<Dictionary<string, object?>> columns = await Sql.RowsAsync(reader, $"""
            SELECT column_name, data_type, COALESCE(numeric_precision, 0) AS numeric_precision
            FROM information_schema.columns
            WHERE table_schema = {Sql.Literal(table.Schema)} AND table_name = {Sql.Literal(table.Name)} AND is_generated = 'NEVER'
            ORDER BY ordinal_position
            """, ct).ConfigureAwait(false);
        var select = new List<string>();
        var bulk = new MySqlBulkCopy(target)
        {
            DestinationTableName = Sql.Id(table.Schema, table.Name),
            BulkCopyTimeout = 0,
            NotifyAfter = 2000,
        };
        for (int i = 0; i < columns.Count; i++)
        {
            string name = Sql.Field(columns[i], "column_name");
            string type = Sql.Field(columns[i], "data_type");
            long precision = Convert.ToInt64(columns[i]["numeric_precision"], CultureInfo.InvariantCulture);
            ColumnCopy copy = ColumnCopy.For(name, type, precision, i);
            select.Add(copy.Select);
            bulk.ColumnMappings.Add(copy.Mapping);
        }

        double perRow = table.Rows > 0 ? (double)table.DataLength / table.Rows : 0;
        long reported = 0;
        long reportedRows = 0;
        bulk.MySqlRowsCopied += (_, e) =>
        {
            long delta = (long)((e.RowsCopied - reportedRows) * perRow);
            reportedRows = e.RowsCopied;
            delta = Math.Min(delta, Math.Max(0, table.DataLength - reported));
            reported += delta;
            job.AddBytes(delta);
        };

        if (table.Dropped)
        {
            return (0, 0);
        }

        await using var command = new MySqlCommand($"SELECT {string.Join(", ", select)} FROM {Sql.Id(table.Schema, table.Name)}", reader) { CommandTimeout = 0 };
        MySqlDataReader rows;
        try
        {
            rows = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (ex.ErrorCode is MySqlErrorCode.NoSuchTable or MySqlErrorCode.TableDefinitionChanged)
        {
            // Dropped (or re-created) on the primary after the snapshot: the DROP and what follows replicate.
            job.Log($"{table.Schema}.{table.Name} was dropped or re-created on the primary during the copy ({ex.Message}); left as created, its change replicates");
            return (0, 0);
        }

        await using MySqlDataReader disposeRows = rows;
        MySqlBulkCopyResult result = await bulk.WriteToServerAsync(rows, ct).ConfigureAwait(false);
        job.AddBytes(Math.Max(0, table.DataLength - reported));
        if (result.Warnings.Count > 0)
        {
            throw new JobFailedException($"loading {table.Schema}.{table.Name} on the target gave {result.Warnings.Count} warning(s), first: {result.Warnings[0].Message}");
        }

        return (result.RowsInserted, table.DataLength);
    }

    private static async Task CopySequenceAsync(MySqlConnection reader, MySqlConnection target, TableInfo sequence, CancellationToken ct)
    {
        object? next = await Sql.ScalarAsync(reader, $"SELECT next_not_cached_value FROM {Sql.Id(sequence.Schema, sequence.Name)}", ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, $"ALTER SEQUENCE {Sql.Id(sequence.Schema, sequence.Name)} RESTART WITH {Sql.Text(next)}", ct).ConfigureAwait(false);
    }

    private async Task CopyTriggersAsync(MySqlConnection reader, MySqlConnection target, CancellationToken ct)
    {
        List<Dictionary<string, object?>> triggers = await Sql.RowsAsync(reader,
            $"SELECT trigger_schema, trigger_name FROM information_schema.triggers WHERE trigger_schema NOT IN ({string.Join(", ", ReplicaSetup.SystemSchemas.Select(Sql.Literal))}) ORDER BY trigger_schema, action_order", ct).ConfigureAwait(false);
        foreach (Dictionary<string, object?> trigger in triggers)
        {
            string schema = Sql.Field(trigger, "trigger_schema");
            string name = Sql.Field(trigger, "trigger_name");
            Dictionary<string, object?> shown = (await Sql.RowsAsync(reader, $"SHOW CREATE TRIGGER {Sql.Id(schema, name)}", ct).ConfigureAwait(false))[0];
            await ExecInModeAsync(target, schema, Sql.Field(shown, "sql_mode"), Sql.Field(shown, "SQL Original Statement"), ct).ConfigureAwait(false);
            _undo.Push($"DROP TRIGGER IF EXISTS {Sql.Id(schema, name)}");
        }
    }

    /// <summary>Events, disabled on the replica (DISABLE ON SLAVE): they run on the primary and their effects replicate.</summary>
    private async Task CopyEventsAsync(MySqlConnection reader, MySqlConnection target, CancellationToken ct)
    {
        List<Dictionary<string, object?>> events = await Sql.RowsAsync(reader,
            $"SELECT event_schema, event_name FROM information_schema.events WHERE event_schema NOT IN ({string.Join(", ", ReplicaSetup.SystemSchemas.Select(Sql.Literal))})", ct).ConfigureAwait(false);
        foreach (Dictionary<string, object?> e in events)
        {
            string schema = Sql.Field(e, "event_schema");
            string name = Sql.Field(e, "event_name");
            Dictionary<string, object?> shown = (await Sql.RowsAsync(reader, $"SHOW CREATE EVENT {Sql.Id(schema, name)}", ct).ConfigureAwait(false))[0];
            await ExecInModeAsync(target, schema, Sql.Field(shown, "sql_mode"), Sql.Field(shown, "Create Event"), ct).ConfigureAwait(false);
            await Sql.ExecAsync(target, $"ALTER EVENT {Sql.Id(schema, name)} DISABLE ON SLAVE", ct).ConfigureAwait(false);
            _undo.Push($"DROP EVENT IF EXISTS {Sql.Id(schema, name)}");
        }
    }

    /// <summary>Runs a stored-program definition in its schema under the sql_mode it was created with.</summary>
    private static async Task ExecInModeAsync(MySqlConnection target, string schema, string sqlMode, string statement, CancellationToken ct)
    {
        await target.ChangeDatabaseAsync(schema, ct).ConfigureAwait(false);
        await Sql.ExecAsync(target, $"SET SESSION sql_mode = {Sql.Literal(sqlMode)}", ct).ConfigureAwait(false);
        try
        {
            await Sql.ExecAsync(target, statement, ct).ConfigureAwait(false);
        }
        finally
        {
            await Sql.ExecAsync(target, "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'", ct).ConfigureAwait(false);
        }
    }
}

/// <summary>A table, view or sequence to copy, with its size as information_schema estimates it.</summary>
internal sealed record TableInfo(string Schema, string Name, TableKind Kind, long DataLength, long Rows)
{
    /// <summary>Dropped on the primary between listing and SHOW CREATE: not created, not copied.</summary>
    public bool Dropped { get; set; }
}

/// <summary>What a table-like object is.</summary>
internal enum TableKind
{
    Table,
    View,
    Sequence,
}
