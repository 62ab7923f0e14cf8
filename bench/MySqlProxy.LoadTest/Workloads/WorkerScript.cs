using MySqlConnector;

namespace MySqlProxy.LoadTest.Workloads;

/// <summary>What every workload's statements need to know.</summary>
/// <param name="Tables">sbtest1..N.</param>
/// <param name="TableSize">Rows per table (ids 1..N).</param>
/// <param name="Prepared">Binary protocol.</param>
/// <param name="WritePercent">mixed-lag: share of a mixing worker's events that are writes.</param>
/// <param name="Writers">mixed-lag: when above 0, this many workers only write and the others only read.</param>
internal sealed record WorkloadSettings(int Tables, int TableSize, bool Prepared, int WritePercent, int Writers);

/// <summary>
/// One worker's statements on its own connection. <see cref="RunEvent"/> runs one event (a statement or a
/// transaction, as sysbench counts them) and returns how many statements it sent.
/// </summary>
internal abstract class WorkerScript : IDisposable
{
    /// <summary>sysbench's default range size for range selects.</summary>
    protected const int RangeSize = 100;

    private readonly Statement[] _point;
    private bool _disposed;

    protected WorkerScript(MySqlConnection connection, WorkloadSettings settings, Random random)
    {
        Connection = connection;
        Settings = settings;
        Random = random;
        _point = PerTable(t => $"SELECT c FROM sbtest{t} WHERE id = @id", ("@id", MySqlDbType.Int32));
    }

    protected MySqlConnection Connection { get; }
    protected WorkloadSettings Settings { get; }
    protected Random Random { get; }

    /// <summary>True while a transaction may be open, so that <see cref="Recover"/> rolls it back.</summary>
    protected bool InTransaction { get; set; }

    public abstract int RunEvent();

    /// <summary>After a failed event: roll back what may be open; reopen a broken connection.</summary>
    public void Recover()
    {
        if (Connection.State != System.Data.ConnectionState.Open)
        {
            try
            {
                Connection.Close();
                Connection.Open();
            }
            catch (MySqlException)
            {
                Thread.Sleep(100);   // the target is down: do not spin
            }
            InTransaction = false;
            return;
        }
        if (!InTransaction) return;
        try
        {
            using var rollback = new MySqlCommand("ROLLBACK", Connection);
            rollback.ExecuteNonQuery();
        }
        catch (MySqlException)
        {
            // The next event reports the connection's state.
        }
        InTransaction = false;
    }

    protected int NextTable() => Settings.Tables == 1 ? 0 : Random.Next(Settings.Tables);

    protected int NextId() => Random.Next(1, Settings.TableSize + 1);

    protected int PointSelect(int table)
    {
        Statement s = _point[table];
        s.Set(0, NextId());
        s.Query();
        return 1;
    }

    protected Statement[] PerTable(Func<int, string> sql, params (string Name, MySqlDbType Type)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new Statement[Settings.Tables];
        for (int t = 0; t < statements.Length; t++)
            statements[t] = new Statement(Connection, sql(t + 1), Settings.Prepared, parameters);
        return statements;
    }

    protected Statement Plain(string sql) => new(Connection, sql, prepared: false);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (disposing)
        {
            foreach (Statement s in _point) s.Dispose();
        }
    }

    /// <summary>sysbench's c/pad value shape: groups of 11 digits joined by '-'.</summary>
    internal static string RandomDigits(Random random, int groups)
    {
        ArgumentNullException.ThrowIfNull(random);
        var chars = new char[groups * 12 - 1];
        for (int i = 0; i < chars.Length; i++)
            chars[i] = i % 12 == 11 ? '-' : (char)('0' + random.Next(10));
        return new string(chars);
    }
}
