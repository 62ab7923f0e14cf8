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

    /// <summary>Position of <paramref name="key"/> inside a /* */, -- or # comment (never inside a string), or -1.</summary>
    private static int IndexOfInComment(ReadOnlySpan<byte> sql, ReadOnlySpan<byte> key)
    {
        if (sql.IndexOf(key) < 0)
        {
            return -1;
        }

        int i = 0;
        while (i < sql.Length)
        {
            byte c = sql[i];
            if (c is (byte)'\'' or (byte)'"' or (byte)'`')
            {
                i = SkipQuoted(sql, i);
                continue;
            }

            int start;
            int end;
            if (c == (byte)'/' && i + 1 < sql.Length && sql[i + 1] == (byte)'*')
            {
                start = i + 2;
                int close = sql[start..].IndexOf("*/"u8);
                end = close < 0 ? sql.Length : start + close;
                i = close < 0 ? sql.Length : end + 2;
            }
            else if (c == (byte)'#' || (c == (byte)'-' && i + 2 < sql.Length && sql[i + 1] == (byte)'-' && sql[i + 2] is (byte)' ' or (byte)'\t'))
            {
                start = i + 1;
                int newline = sql[start..].IndexOf((byte)'\n');
                end = newline < 0 ? sql.Length : start + newline;
                i = end;
            }
            else
            {
                i++;
                continue;
            }

            int found = sql[start..end].IndexOf(key);
            if (found >= 0)
            {
                return start + found;
            }
        }

        return -1;
    }

    private static int SkipQuoted(ReadOnlySpan<byte> sql, int i)
    {
        byte quote = sql[i];
        int j = i + 1;
        while (j < sql.Length)
        {
            if (sql[j] == (byte)'\\' && quote != (byte)'`')
            {
                j += 2;
            }
            else if (sql[j] == quote)
            {
                if (j + 1 < sql.Length && sql[j + 1] == quote)
                {
                    j += 2;
                }
                else
                {
                    return j + 1;
                }
            }
            else
            {
                j++;
            }
        }

        return sql.Length;
    }

    public override string ToString() => Target switch
    {
        HintTarget.Named => string.Create(CultureInfo.InvariantCulture, $"route={Backend}"),
        HintTarget.None => MaxLag is null ? "none" : string.Create(CultureInfo.InvariantCulture, $"max_lag={MaxLag.Value.TotalMilliseconds}ms"),
        _ => $"route={Target.ToString().ToLowerInvariant()}",
    };
}
