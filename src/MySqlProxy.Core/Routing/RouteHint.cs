using System.Globalization;
using System.Text;

namespace MySqlProxy.Core.Routing;

/// <summary>Where a comment hint sends a statement.</summary>
internal enum HintTarget : byte
{
    None,
    Primary,
    Replica,
    Named,
}

/// <summary>
/// Routing hints in a statement's comments: <c>/* route=primary */</c>, <c>/* route=replica */</c>,
/// <c>/* route=db2 */</c> (a backend by name) and a staleness budget <c>/* max_lag=200ms */</c>.
/// </summary>
internal readonly record struct RouteHint(HintTarget Target, string? Backend, TimeSpan? MaxLag)
{
    public static RouteHint None => default;

    /// <summary>Finds hints inside comments; cheap when there is no "route=" or "max_lag=" in the text.</summary>
    public static RouteHint Parse(ReadOnlySpan<byte> sql)
    {
        int route = IndexOfInComment(sql, "route="u8);
        int lag = IndexOfInComment(sql, "max_lag="u8);
        if (route < 0 && lag < 0)
        {
            return None;
        }

        HintTarget target = HintTarget.None;
        string? backend = null;
        if (route >= 0)
        {
            string value = ReadValue(sql[(route + 6)..]);
            if (value.Equals("primary", StringComparison.OrdinalIgnoreCase) || value.Equals("master", StringComparison.OrdinalIgnoreCase))
            {
                target = HintTarget.Primary;
            }
            else if (value.Equals("replica", StringComparison.OrdinalIgnoreCase) || value.Equals("slave", StringComparison.OrdinalIgnoreCase))
            {
                target = HintTarget.Replica;
            }
            else if (value.Length > 0)
            {
                target = HintTarget.Named;
                backend = value;
            }
        }

        TimeSpan? maxLag = null;
        if (lag >= 0 && Configuration.Duration.TryParse(ReadValue(sql[(lag + 8)..]), out Configuration.Duration duration))
        {
            maxLag = duration.Value;
        }

        return new RouteHint(target, backend, maxLag);
    }

    private static string ReadValue(ReadOnlySpan<byte> rest)
    {
        int end = 0;
        while (end < rest.Length && (char.IsAsciiLetterOrDigit((char)rest[end]) || rest[end] is (byte)'_' or (byte)'-' or (byte)'.'))
        {
            end++;
        }

        return Encoding.UTF8.GetString(rest[..end]);
    }

    /// <summary>Position of <paramref name="key"/> inside a /* */ or -- / # comment, or -1.</summary>
    private static int IndexOfInComment(ReadOnlySpan<byte> sql, ReadOnlySpan<byte> key)
    {
        int offset = 0;
        while (true)
        {
            int found = sql[offset..].IndexOf(key);
            if (found < 0)
            {
                return -1;
            }

            found += offset;
            int open = sql[..found].LastIndexOf("/*"u8);
            if (open >= 0 && sql[open..found].IndexOf("*/"u8) < 0)
            {
                return found;
            }

            int line = sql[..found].LastIndexOfAny((byte)'\n', (byte)'#');
            int dash = sql[..found].LastIndexOf("-- "u8);
            if ((line >= 0 && sql[line] == (byte)'#') || (dash >= 0 && sql[dash..found].IndexOf((byte)'\n') < 0))
            {
                return found;
            }

            offset = found + key.Length;
        }
    }

    public override string ToString() => Target switch
    {
        HintTarget.Named => string.Create(CultureInfo.InvariantCulture, $"route={Backend}"),
        HintTarget.None => MaxLag is null ? "none" : string.Create(CultureInfo.InvariantCulture, $"max_lag={MaxLag.Value.TotalMilliseconds}ms"),
        _ => $"route={Target.ToString().ToLowerInvariant()}",
    };
}
