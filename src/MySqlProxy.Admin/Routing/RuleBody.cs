using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Routing;

/// <summary>
/// One query rule as proxy.yaml writes it under routing.rules: <c>match</c> (a regular expression) or
/// <c>digest</c> (an example statement), optionally <c>user</c> and <c>schema</c>, and <c>route</c> (primary,
/// replica or a backend name). The body of <c>POST /api/rules</c>.
/// </summary>
internal sealed class RuleBody
{
    /// <summary>What each field expects, for the 400 that names it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["match"] = "must be a string (a regular expression)",
        ["digest"] = "must be a string (an example statement)",
        ["user"] = "must be a string",
        ["schema"] = "must be a string",
        ["route"] = "must be primary, replica or a backend name",
    };

    public string? Match { get; set; }

    public string? Digest { get; set; }

    public string? User { get; set; }

    public string? Schema { get; set; }

    public string? Route { get; set; }

    public static RuleBody From(RuleOptions rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new() { Match = rule.Match, Digest = rule.Digest, User = rule.User, Schema = rule.Schema, Route = rule.Route };
    }

    public RuleOptions ToOptions() => new()
    {
        Match = string.IsNullOrEmpty(Match) ? null : Match,
        Digest = string.IsNullOrEmpty(Digest) ? null : Digest,
        User = string.IsNullOrEmpty(User) ? null : User,
        Schema = string.IsNullOrEmpty(Schema) ? null : Schema,
        Route = Route ?? string.Empty,
    };
}
