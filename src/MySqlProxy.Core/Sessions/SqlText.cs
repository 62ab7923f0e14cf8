using System.Globalization;
using System.Text;

namespace MySqlProxy.Core.Sessions;

/// <summary>
/// The few statement shapes the session itself must understand before routing exists: KILL of a proxy
/// connection id, and CONNECTION_ID(), whose value must be the proxy's id. Works on the UTF-8 bytes of a
/// COM_QUERY and skips comments, strings and quoted identifiers.
/// </summary>
internal static class SqlText
{
    /// <summary>Parses <c>KILL [HARD|SOFT] [CONNECTION|QUERY] n</c>; other KILL forms (KILL QUERY ID, KILL USER) are not matched.</summary>
    public static bool TryParseKill(ReadOnlySpan<byte> sql, out KillStatement kill)
    {
        kill = default;
        int i = SkipSpaceAndComments(sql, 0);
        if (!MatchWord(sql, ref i, "KILL"u8))
        {
            return false;
        }

        string? modifier = null;
        i = SkipSpaceAndComments(sql, i);
        if (MatchWord(sql, ref i, "HARD"u8))
        {
            modifier = "HARD";
            i = SkipSpaceAndComments(sql, i);
        }
        else if (MatchWord(sql, ref i, "SOFT"u8))
        {
            modifier = "SOFT";
            i = SkipSpaceAndComments(sql, i);
        }

        KillScope scope = KillScope.Connection;
        if (MatchWord(sql, ref i, "QUERY"u8))
        {
            scope = KillScope.Query;
            i = SkipSpaceAndComments(sql, i);
        }
        else if (MatchWord(sql, ref i, "CONNECTION"u8))
        {
            i = SkipSpaceAndComments(sql, i);
        }

        int start = i;
        while (i < sql.Length && char.IsAsciiDigit((char)sql[i]))
        {
            i++;
        }

        if (i == start || !ulong.TryParse(Encoding.ASCII.GetString(sql[start..i]), NumberStyles.None, CultureInfo.InvariantCulture, out ulong id))
        {
            return false;
        }

        i = SkipSpaceAndComments(sql, i);
        if (i < sql.Length && sql[i] == (byte)';')
        {
            i = SkipSpaceAndComments(sql, i + 1);
        }

        if (i != sql.Length)
        {
            return false;
        }

        kill = new KillStatement(scope, modifier, id);
        return true;
    }

    /// <summary>
    /// Replaces every CONNECTION_ID() outside strings and comments with the proxy's id. A bare select-list
    /// item keeps its column name through an alias, so <c>SELECT CONNECTION_ID()</c> reads as it does directly.
    /// Returns null when the statement does not call CONNECTION_ID().
    /// </summary>
    public static byte[]? RewriteConnectionId(ReadOnlySpan<byte> sql, uint connectionId)
    {
        if (!MentionsConnectionId(sql))
        {
            return null;
        }

        var output = new List<byte>(sql.Length + 48);
        bool changed = false;
        int i = 0;
        int copied = 0;
        while (i < sql.Length)
        {
            int next = SkipToken(sql, i, out bool isWord);
            if (isWord && next - i == 13 && EqualsIgnoreCase(sql[i..next], "CONNECTION_ID"u8) && (i == 0 || sql[i - 1] != (byte)'.'))
            {
                int j = SkipSpaceAndComments(sql, next);
                if (j < sql.Length && sql[j] == (byte)'(')
                {
                    int k = SkipSpaceAndComments(sql, j + 1);
                    if (k < sql.Length && sql[k] == (byte)')')
                    {
                        output.AddRange(sql[copied..i]);
                        output.AddRange(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"CAST({connectionId} AS UNSIGNED)")));
                        int after = SkipSpaceAndComments(sql, k + 1);
                        if (NeedsAlias(sql, i, after))
                        {
                            output.AddRange(Encoding.ASCII.GetBytes(" AS `"));
                            output.AddRange(sql[i..(k + 1)]);
                            output.Add((byte)'`');
                        }

                        copied = k + 1;
                        i = k + 1;
                        changed = true;
                        continue;
                    }
                }
            }

            i = next;
        }

        if (!changed)
        {
            return null;
        }

        output.AddRange(sql[copied..]);
        return [.. output];
    }

    /// <summary>True when the call stands alone as a select-list item (after SELECT or a comma, before a comma, FROM or the end).</summary>
    private static bool NeedsAlias(ReadOnlySpan<byte> sql, int callStart, int after)
    {
        bool endsItem = after >= sql.Length || sql[after] is (byte)',' or (byte)';' or (byte)')' ||
            StartsWithWord(sql[after..], "FROM"u8) || StartsWithWord(sql[after..], "UNION"u8) ||
            StartsWithWord(sql[after..], "LIMIT"u8) || StartsWithWord(sql[after..], "INTO"u8);
        if (!endsItem || (after < sql.Length && sql[after] == (byte)')'))
        {
            return false;
        }

        // Look back for SELECT or a comma as the previous significant token.
        int p = callStart - 1;
        while (p >= 0 && IsSpace(sql[p]))
        {
            p--;
        }

        if (p >= 0 && sql[p] == (byte)',')
        {
            return true;
        }

        return p >= 5 && EqualsIgnoreCase(sql[(p - 5)..(p + 1)], "SELECT"u8) && (p - 6 < 0 || !IsWordByte(sql[p - 6]));
    }

    private static int SkipToken(ReadOnlySpan<byte> sql, int i, out bool isWord)
    {
        isWord = false;
        byte c = sql[i];
        if (c is (byte)'\'' or (byte)'"' or (byte)'`')
        {
            return SkipQuoted(sql, i);
        }

        if (c == (byte)'/' && i + 1 < sql.Length && sql[i + 1] == (byte)'*')
        {
            int end = sql[(i + 2)..].IndexOf("*/"u8);
            return end < 0 ? sql.Length : i + 2 + end + 2;
        }

        if (c == (byte)'#' || (c == (byte)'-' && i + 2 < sql.Length && sql[i + 1] == (byte)'-' && IsSpace(sql[i + 2])))
        {
            int end = sql[i..].IndexOf((byte)'\n');
            return end < 0 ? sql.Length : i + end + 1;
        }

        if (IsWordByte(c))
        {
            isWord = true;
            int j = i + 1;
            while (j < sql.Length && IsWordByte(sql[j]))
            {
                j++;
            }

            return j;
        }

        return i + 1;
    }

    private static int SkipQuoted(ReadOnlySpan<byte> sql, int i)
    {
        byte quote = sql[i];
        int j = i + 1;
        while (j < sql.Length)
        {
            byte c = sql[j];
            if (c == (byte)'\\' && quote != (byte)'`')
            {
                j += 2;
                continue;
            }

            if (c == quote)
            {
                if (j + 1 < sql.Length && sql[j + 1] == quote)
                {
                    j += 2;
                    continue;
                }

                return j + 1;
            }

            j++;
        }

        return sql.Length;
    }

    /// <summary>Skips white space and comments, but not executable comments (<c>/*!</c>, <c>/*M!</c>), whose text runs.</summary>
    internal static int SkipSpaceAndComments(ReadOnlySpan<byte> sql, int i)
    {
        while (i < sql.Length)
        {
            byte c = sql[i];
            if (IsSpace(c))
            {
                i++;
            }
            else if (c == (byte)'/' && i + 1 < sql.Length && sql[i + 1] == (byte)'*' &&
                !(i + 2 < sql.Length && (sql[i + 2] == (byte)'!' || (sql[i + 2] == (byte)'M' && i + 3 < sql.Length && sql[i + 3] == (byte)'!'))))
            {
                int end = sql[(i + 2)..].IndexOf("*/"u8);
                i = end < 0 ? sql.Length : i + 2 + end + 2;
            }
            else if (c == (byte)'#' || (c == (byte)'-' && i + 2 < sql.Length && sql[i + 1] == (byte)'-' && IsSpace(sql[i + 2])))
            {
                int end = sql[i..].IndexOf((byte)'\n');
                i = end < 0 ? sql.Length : i + end + 1;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static bool MatchWord(ReadOnlySpan<byte> sql, ref int i, ReadOnlySpan<byte> word)
    {
        if (StartsWithWord(sql[i..], word))
        {
            i += word.Length;
            return true;
        }

        return false;
    }

    private static bool StartsWithWord(ReadOnlySpan<byte> sql, ReadOnlySpan<byte> word) =>
        sql.Length >= word.Length && EqualsIgnoreCase(sql[..word.Length], word) &&
        (sql.Length == word.Length || !IsWordByte(sql[word.Length]));

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> upper)
    {
        if (a.Length != upper.Length)
        {
            return false;
        }

        for (int k = 0; k < a.Length; k++)
        {
            byte c = a[k];
            if (c is >= (byte)'a' and <= (byte)'z')
            {
                c -= 32;
            }

            if (c != upper[k])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A cheap first look: is there an underscore with CONNECTION before it and ID after it, in any case?</summary>
    private static bool MentionsConnectionId(ReadOnlySpan<byte> sql)
    {
        int offset = 0;
        while (true)
        {
            int k = sql[offset..].IndexOf((byte)'_');
            if (k < 0)
            {
                return false;
            }

            k += offset;
            if (k >= 10 && k + 3 <= sql.Length && EqualsIgnoreCase(sql.Slice(k - 10, 13), "CONNECTION_ID"u8))
            {
                return true;
            }

            offset = k + 1;
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f' or (byte)'\v';

    private static bool IsWordByte(byte c) => char.IsAsciiLetterOrDigit((char)c) || c is (byte)'_' or (byte)'$' || c >= 0x80;
}
