namespace MySqlProxy.Core.Statements;

/// <summary>
/// A prepared statement as the client sees it: the id the proxy gave it and what it takes to prepare it
/// again on any backend connection.
/// </summary>
internal sealed class ClientStatement
{
    public ClientStatement(uint id, string sql, string? schema, ushort parameters, ushort columns, Routing.StatementTraits traits, Routing.RouteHint hint)
    {
        Traits = traits;
        Hint = hint;
        Id = id;
        Sql = sql;
        Schema = schema;
        Parameters = parameters;
        Columns = columns;
    }

    /// <summary>What the statement does, for routing its executions (prepared statements are routed by their text).</summary>
    public Routing.StatementTraits Traits { get; }

    /// <summary>Its digest hash and text, for statistics.</summary>
    public ulong Digest { get; init; }

    public string DigestText { get; init; } = string.Empty;

    /// <summary>Comment hints in its text.</summary>
    public Routing.RouteHint Hint { get; }

    /// <summary>The statement id the client uses (the proxy's).</summary>
    public uint Id { get; }

    public string Sql { get; }

    /// <summary>The schema the statement was prepared in (names in it resolve there).</summary>
    public string? Schema { get; }

    public ushort Parameters { get; }

    public ushort Columns { get; }

    /// <summary>Parameter types the client sent last (2 bytes each); a later execute may leave them out.</summary>
    public byte[]? ParameterTypes { get; set; }
}
