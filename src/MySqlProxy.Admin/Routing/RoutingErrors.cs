namespace MySqlProxy.Admin.Routing;

/// <summary>
/// Turns the Core's refusal of routing settings (one <c>routing.key: reason</c> per line) into a 400's
/// <c>errors</c>, keyed as the request spells the fields (<c>max_replica_lag</c>, <c>rules[2].match</c>).
/// </summary>
internal static class RoutingErrors
{
    private const string Prefix = "routing.";

    public static Dictionary<string, string[]> Parse(ArgumentException ex, Func<string, string>? rename = null)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string line in ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            string key = colon > 0 ? line[..colon] : "routing";
            string reason = colon > 0 ? line[(colon + 2)..] : line;
            if (key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                key = key[Prefix.Length..];
            }

            key = rename?.Invoke(key) ?? key;
            if (!errors.TryGetValue(key, out List<string>? reasons))
            {
                errors[key] = reasons = [];
            }

            reasons.Add(reason);
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
