namespace MySqlProxy.Core.Statements;

/// <summary>A statement prepared on one backend connection.</summary>
internal sealed class BackendStatement
{
    public BackendStatement(StatementKey key, uint id, ushort parameters, ushort columns, byte[] response)
    {
        Key = key;
        Id = id;
        Parameters = parameters;
        Columns = columns;
        Response = response;
    }

    public StatementKey Key { get; }

    /// <summary>The server's statement id on that connection.</summary>
    public uint Id { get; }

    public ushort Parameters { get; }

    public ushort Columns { get; }

    /// <summary>The server's whole COM_STMT_PREPARE response (packets), replayed to clients that prepare the same text.</summary>
    public byte[] Response { get; }

    /// <summary>True once an execute carried parameter types to this server statement.</summary>
    public bool HasParameterTypes { get; set; }

    /// <summary>Place in the connection's least-recently-used order.</summary>
    public LinkedListNode<BackendStatement>? Node { get; set; }
}

/// <summary>What makes two prepares the same statement: the text and the schema it resolves names in.</summary>
internal readonly record struct StatementKey(string Sql, string? Schema);
