namespace MySqlProxy.Admin.Routing;

/// <summary>The body of <c>POST /api/routing/explain</c>: the statement, and optionally the user and schema of the session asking.</summary>
internal sealed class ExplainRequest
{
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sql"] = "must be a string (the statement)",
        ["user"] = "must be a string",
        ["schema"] = "must be a string",
    };

    public string? Sql { get; set; }

    public string? User { get; set; }

    public string? Schema { get; set; }
}
