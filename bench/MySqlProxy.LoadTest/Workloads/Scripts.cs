using MySqlConnector;

namespace MySqlProxy.LoadTest.Workloads;

/// <summary>point-select: <c>SELECT c FROM sbtest1 WHERE id = ?</c> in autocommit mode (sysbench oltp_point_select).</summary>
internal sealed class PointSelectScript(MySqlConnection connection, WorkloadSettings settings, Random random)
    : WorkerScript(connection, settings, random)
{
    public override int RunEvent() => PointSelect(NextTable());
}

/// <summary>
/// read-only-tx: <c>START TRANSACTION READ ONLY</c>, 10 point selects, one range select of 100 rows,
/// <c>COMMIT</c> (sysbench oltp_read_only with one range select instead of four): 13 statements.
/// </summary>
internal sealed class ReadOnlyTxScript : WorkerScript
{
    private readonly Statement _begin;
    private readonly Statement _commit;
    private readonly Statement[] _range;

    public ReadOnlyTxScript(MySqlConnection connection, WorkloadSettings settings, Random random)
        : base(connection, settings, random)
    {
        _begin = Plain("START TRANSACTION READ ONLY");
        _commit = Plain("COMMIT");
        _range = PerTable(t => $"SELECT c FROM sbtest{t} WHERE id BETWEEN @a AND @b", ("@a", MySqlDbType.Int32), ("@b", MySqlDbType.Int32));
    }

    public override int RunEvent()
    {
        int table = NextTable();
        InTransaction = true;
        _begin.Execute();
        for (int i = 0; i < 10; i++) PointSelect(table);
        int from = Random.Next(1, Math.Max(2, Settings.TableSize - RangeSize + 2));
        Statement range = _range[table];
        range.Set(0, from);
        range.Set(1, from + RangeSize - 1);
        range.Query();
        _commit.Execute();
        InTransaction = false;
        return 13;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _begin.Dispose();
            _commit.Dispose();
            foreach (Statement s in _range) s.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// read-write: <c>START TRANSACTION</c>, 10 point selects, one range select, an update of the indexed
/// column k, an update of the non-indexed c, a delete and the re-insert of the same id, <c>COMMIT</c>
/// (sysbench oltp_read_write with one range select instead of four): 17 statements.
/// </summary>
internal sealed class ReadWriteScript : WorkerScript
{
    private readonly Statement _begin;
    private readonly Statement _commit;
    private readonly Statement[] _range;
    private readonly Statement[] _updateIndex;
    private readonly Statement[] _updateNonIndex;
    private readonly Statement[] _delete;
    private readonly Statement[] _insert;
    private readonly string[] _cValues;
    private readonly string[] _padValues;

    public ReadWriteScript(MySqlConnection connection, WorkloadSettings settings, Random random)
        : base(connection, settings, random)
    {
        _begin = Plain("START TRANSACTION");
        _commit = Plain("COMMIT");
        _range = PerTable(t => $"SELECT c FROM sbtest{t} WHERE id BETWEEN @a AND @b", ("@a", MySqlDbType.Int32), ("@b", MySqlDbType.Int32));
        _updateIndex = PerTable(t => $"UPDATE sbtest{t} SET k = k + 1 WHERE id = @id", ("@id", MySqlDbType.Int32));
        _updateNonIndex = PerTable(t => $"UPDATE sbtest{t} SET c = @c WHERE id = @id", ("@c", MySqlDbType.String), ("@id", MySqlDbType.Int32));
        _delete = PerTable(t => $"DELETE FROM sbtest{t} WHERE id = @id", ("@id", MySqlDbType.Int32));
        _insert = PerTable(t => $"INSERT INTO sbtest{t} (id, k, c, pad) VALUES (@id, @k, @c, @pad)",
            ("@id", MySqlDbType.Int32), ("@k", MySqlDbType.Int32), ("@c", MySqlDbType.String), ("@pad", MySqlDbType.String));
        // A small pool of values, made once: no string is built per statement.
        _cValues = new string[64];
        _padValues = new string[64];
        for (int i = 0; i < _cValues.Length; i++)
        {
            _cValues[i] = RandomDigits(random, 10);
            _padValues[i] = RandomDigits(random, 5);
        }
    }

    public override int RunEvent()
    {
        int table = NextTable();
        InTransaction = true;
        _begin.Execute();
        for (int i = 0; i < 10; i++) PointSelect(table);
        int from = Random.Next(1, Math.Max(2, Settings.TableSize - RangeSize + 2));
        Statement range = _range[table];
        range.Set(0, from);
        range.Set(1, from + RangeSize - 1);
        range.Query();

        Statement s = _updateIndex[table];
        s.Set(0, NextId());
        s.Execute();

        s = _updateNonIndex[table];
        s.Set(0, _cValues[Random.Next(_cValues.Length)]);
        s.Set(1, NextId());
        s.Execute();

        int id = NextId();
        s = _delete[table];
        s.Set(0, id);
        s.Execute();

        s = _insert[table];
        s.Set(0, id);
        s.Set(1, NextId());
        s.Set(2, _cValues[Random.Next(_cValues.Length)]);
        s.Set(3, _padValues[Random.Next(_padValues.Length)]);
        s.Execute();

        _commit.Execute();
        InTransaction = false;
        return 17;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _begin.Dispose();
            _commit.Dispose();
            foreach (Statement[] group in new[] { _range, _updateIndex, _updateNonIndex, _delete, _insert })
                foreach (Statement st in group) st.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// mixed-lag: autocommit point selects and <c>UPDATE sbtest SET k = k + 1 WHERE id = ?</c>, run while one
/// replica lags (see <see cref="ReplicaLagControl"/>). A worker either mixes them (a write with probability
/// <see cref="WorkloadSettings.WritePercent"/>), or only writes, or only reads (with
/// <see cref="WorkloadSettings.Writers"/>; a reading session has no writes of its own to wait for, so the
/// proxy balances its reads by lag). One statement per event.
/// </summary>
internal sealed class MixedScript : WorkerScript
{
    private readonly Statement[] _update;
    private readonly int _writePercent;

    public MixedScript(MySqlConnection connection, WorkloadSettings settings, Random random, int worker)
        : base(connection, settings, random)
    {
        _update = PerTable(t => $"UPDATE sbtest{t} SET k = k + 1 WHERE id = @id", ("@id", MySqlDbType.Int32));
        _writePercent = settings.Writers <= 0 ? settings.WritePercent : worker < settings.Writers ? 100 : 0;
    }

    public override int RunEvent()
    {
        int table = NextTable();
        if (_writePercent == 0 || (_writePercent < 100 && Random.Next(100) >= _writePercent)) return PointSelect(table);
        Statement s = _update[table];
        s.Set(0, NextId());
        s.Execute();
        return 1;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (Statement s in _update) s.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Creates the worker scripts of a workload by name.</summary>
internal static class Scripts
{
    public static WorkerScript Create(string workload, MySqlConnection connection, WorkloadSettings settings, Random random, int worker) =>
        workload switch
        {
            "point-select" => new PointSelectScript(connection, settings, random),
            "read-only-tx" => new ReadOnlyTxScript(connection, settings, random),
            "read-write" => new ReadWriteScript(connection, settings, random),
            "mixed-lag" => new MixedScript(connection, settings, random, worker),
            _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, "unknown workload"),
        };
}
