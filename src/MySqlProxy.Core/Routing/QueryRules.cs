using System.Text;
using System.Text.RegularExpressions;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Routing;

/// <summary>
/// The query rules of <c>routing.rules</c>, compiled once (regular expressions compiled, digests hashed)
/// and evaluated in order. With no rules nothing is computed per statement.
/// </summary>
internal sealed class QueryRules
{
    public static readonly QueryRules Empty = new([]);

    private readonly QueryRule[] _rules;
    private readonly bool _needsText;
    private readonly bool _needsDigest;

    public QueryRules(IReadOnlyList<QueryRule> rules)
    {
        _rules = [.. rules];
        _needsText = _rules.Any(r => r.Pattern is not null);
        _needsDigest = _rules.Any(r => r.DigestHash is not null);
    }

    public int Count => _rules.Length;

    public IReadOnlyList<QueryRule> Rules => _rules;

    public static QueryRules Compile(IReadOnlyList<RuleOptions> options)
    {
        var rules = new List<QueryRule>(options.Count);
        for (int i = 0; i < options.Count; i++)
        {
            RuleOptions rule = options[i];
            Regex? pattern = string.IsNullOrEmpty(rule.Match)
                ? null
                : new Regex(rule.Match, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(50));
            ulong? digest = string.IsNullOrEmpty(rule.Digest) ? null : StatementDigest.Hash(rule.Digest);
            (HintTarget target, string? backend) = rule.Route.ToLowerInvariant() switch
            {
                "primary" => (HintTarget.Primary, (string?)null),
                "replica" => (HintTarget.Replica, null),
                _ => (HintTarget.Named, rule.Route),
            };
            rules.Add(new QueryRule(i, pattern, digest, NullIfEmpty(rule.User), NullIfEmpty(rule.Schema), target, backend, rule));
        }

        return rules.Count == 0 ? Empty : new QueryRules(rules);
    }

    /// <summary>The first rule that matches the statement, or null.</summary>
    public QueryRule? Find(ReadOnlySpan<byte> sql, string user, string? schema)
    {
        if (_rules.Length == 0)
        {
            return null;
        }

        string? text = _needsText ? Encoding.UTF8.GetString(sql) : null;
        ulong digest = _needsDigest ? StatementDigest.Hash(sql) : 0;
        foreach (QueryRule rule in _rules)
        {
            if ((rule.User is not null && !string.Equals(rule.User, user, StringComparison.Ordinal)) ||
                (rule.Schema is not null && !string.Equals(rule.Schema, schema, StringComparison.Ordinal)))
            {
                continue;
            }

            if (rule.DigestHash is ulong hash && hash != digest)
            {
                continue;
            }

            if (rule.Pattern is not null && !SafeMatch(rule.Pattern, text!))
            {
                continue;
            }

            return rule;
        }

        return null;
    }

    private static bool SafeMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological pattern must not stall the data path: no match.
            return false;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
