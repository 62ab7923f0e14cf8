using System.Globalization;
using System.Text;

using MySqlProxy.Core.Routing;

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
    /// Replaces every CONNECTION_ID() outside strings and comments (executable comments included, as the
    /// server runs them) with the proxy's id. A bare item of a select list keeps its column name through an
    /// alias, so <c>SELECT CONNECTION_ID()</c> reads as it does directly. The id is written with ten digits:
    /// a literal's display width is its length, and the server gives CONNECTION_ID() a width of 10, so the
    /// column metadata reads as it does directly too. Returns null when there is no call.
    /// </summary>
    public static byte[]? RewriteConnectionId(ReadOnlySpan<byte> sql, uint connectionId)
    {
        if (!MentionsConnectionId(sql))
        {
            return null;
        }

        var output = new List<byte>(sql.Length + 48);
        var t = new SqlTokenizer(sql);
        int copied = 0;
        int depth = 0;
        bool changed = false;
        bool inSelectList = false;
        SqlTokenKind previousKind = SqlTokenKind.End;
        bool previousStartsItem = true;
        while (t.Next())
        {
            if (t.IsPunctuation((byte)'('))
            {
                depth++;
            }
            else if (t.IsPunctuation((byte)')'))
            {
                depth--;
            }
            else if (t.Kind == SqlTokenKind.Semicolon)
            {
                inSelectList = false;
            }
            else if (depth == 0 && t.Is("SELECT"u8))
            {
                inSelectList = true;
            }
            else if (depth == 0 && (t.Is("FROM"u8) || t.Is("INTO"u8) || t.Is("WHERE"u8)))
            {
                inSelectList = false;
            }

            bool dotBefore = previousKind == SqlTokenKind.Punctuation && t.Start > 0 && sql[t.Start - 1] == (byte)'.';
            if (t.Is("CONNECTION_ID"u8) && !dotBefore && t.Rest.Length > 0)
            {
                int callStart = t.Start;
                bool startsItem = previousStartsItem && inSelectList && depth == 0;
                var probe = t;
                if (probe.Next() && probe.IsPunctuation((byte)'(') && probe.Next() && probe.IsPunctuation((byte)')'))
                {
                    int callEnd = probe.Start + probe.Length;
                    var after = probe;
                    bool endsItem = !after.Next() || after.Kind == SqlTokenKind.Semicolon || after.IsPunctuation((byte)',') ||
                        after.Is("FROM"u8) || after.Is("INTO"u8) || after.Is("UNION"u8) || after.Is("LIMIT"u8) || after.Is("WHERE"u8) ||
                        after.Is("ORDER"u8) || after.Is("GROUP"u8) || after.Is("HAVING"u8) || after.Is("WINDOW"u8) || after.Is("FOR"u8);
                    output.AddRange(sql[copied..callStart]);
                    output.AddRange(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"CAST({connectionId:D10} AS UNSIGNED)")));
                    if (startsItem && endsItem)
                    {
                        output.AddRange(" AS `"u8);
                        output.AddRange(sql[callStart..callEnd]);
                        output.Add((byte)'`');
                    }

                    copied = callEnd;
                    changed = true;
                    t = probe;
                    previousKind = SqlTokenKind.Punctuation;
                    previousStartsItem = false;
                    continue;
                }
            }

            previousKind = t.Kind;
            previousStartsItem = t.IsPunctuation((byte)',') || t.Is("SELECT"u8) || t.Is("DISTINCT"u8) || t.Is("ALL"u8) ||
                t.Is("DISTINCTROW"u8) || t.Is("HIGH_PRIORITY"u8) || t.Is("STRAIGHT_JOIN"u8) ||
                (t.Kind == SqlTokenKind.Word && t.Length > 4 && SqlTokenizer.EqualsUpper(t.Token[..4], "SQL_"u8));
        }

        if (!changed)
        {
            return null;
        }

        output.AddRange(sql[copied..]);
        return [.. output];
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
