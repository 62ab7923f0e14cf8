using MySqlConnector;

namespace MySqlProxy.LoadTest.Workloads;

/// <summary>
/// One reusable command of a worker: parameters are set in place and the command is executed again,
/// over the text protocol (MySqlConnector substitutes the values) or, prepared, over the binary one.
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly MySqlCommand _command;
    private readonly MySqlParameter[] _parameters;

    public Statement(MySqlConnection connection, string sql, bool prepared, params (string Name, MySqlDbType Type)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
#pragma warning disable CA2100 // the SQL is the workload's own constant text; values travel as parameters
        _command = new MySqlCommand(sql, connection);
#pragma warning restore CA2100
        _parameters = new MySqlParameter[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            _parameters[i] = new MySqlParameter(parameters[i].Name, parameters[i].Type);
            _command.Parameters.Add(_parameters[i]);
        }
        if (prepared && parameters.Length > 0) _command.Prepare();
    }

    public void Set(int index, int value) => _parameters[index].Value = value;

    public void Set(int index, string value) => _parameters[index].Value = value;

    /// <summary>Runs a statement that returns rows and reads them all; returns the row count.</summary>
    public int Query()
    {
        using MySqlDataReader reader = _command.ExecuteReader();
        int rows = 0;
        while (reader.Read()) rows++;
        return rows;
    }

    /// <summary>Runs a statement without rows; returns the affected rows.</summary>
    public int Execute() => _command.ExecuteNonQuery();

    public void Dispose() => _command.Dispose();
}
