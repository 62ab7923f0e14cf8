using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Routing;

/// <summary>A rule in force with its position (<c>GET /api/rules</c>); <c>DELETE /api/rules/{index}</c> takes the index.</summary>
internal sealed record RuleResource(int Index, string? Match, string? Digest, string? User, string? Schema, string Route)
{
    public static RuleResource From(int index, RuleOptions rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(index, rule.Match, rule.Digest, rule.User, rule.Schema, rule.Route);
    }
}
