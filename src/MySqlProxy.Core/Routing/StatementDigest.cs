using System.Text;

namespace MySqlProxy.Core.Routing;

/// <summary>
/// The shape of a statement without its values: comments dropped, literals replaced by <c>?</c>, lists of
/// them in <c>IN (...)</c> collapsed, words lower-cased, white space single. Statements that differ only in
/// their values share a digest; its 64-bit hash (FNV-1a over the normalized text) is computed without
/// allocating, the text only when asked for.
/// </summary>
internal static class StatementDigest
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The 64-bit hash of the normalized statement.</summary>
    public static ulong Hash(ReadOnlySpan<byte> sql)
    {
        ulong hash = FnvOffset;
        Walk(sql, ref hash, null);
        return hash;
    }

    /// <summary>The normalized text, e.g. <c>select * from t where id = ? and k in (...)</c>.</summary>
    public static string Text(ReadOnlySpan<byte> sql)
    {
        ulong hash = FnvOffset;
        var text = new StringBuilder(sql.Length);
        Walk(sql, ref hash, text);
        return text.ToString();
    }

    public static ulong Hash(string sql) => Hash(Encoding.UTF8.GetBytes(sql));

    public static string Text(string sql) => Text(Encoding.UTF8.GetBytes(sql));

    private static void Walk(ReadOnlySpan<byte> sql, ref ulong hash, StringBuilder? text)
    {
        var t = new SqlTokenizer(sql);
        bool first = true;
        bool afterIn = false;
        while (t.Next())
        {
            if (t.Kind == SqlTokenKind.Semicolon && t.Rest.Trim((byte)' ').IsEmpty)
            {
                break;
            }

            // IN (?, ?, ...) becomes IN (...), whatever the number of values.
            if (afterIn && t.IsPunctuation((byte)'('))
            {
                var probe = t;
                bool onlyValues = true;
                int values = 0;
                while (probe.Next() && !probe.IsPunctuation((byte)')'))
                {
                    if (probe.IsPunctuation((byte)','))
                    {
                        continue;
                    }

                    if (probe.Kind is not (SqlTokenKind.Number or SqlTokenKind.String or SqlTokenKind.Placeholder))
                    {
                        onlyValues = false;
                        break;
                    }

                    values++;
                }

                if (onlyValues && values > 0 && probe.IsPunctuation((byte)')'))
                {
                    Append(ref hash, text, " (...)"u8, ref first, separate: false);
                    t = probe;
                    afterIn = false;
                    continue;
                }
            }

            afterIn = t.Is("IN"u8);
            switch (t.Kind)
            {
                case SqlTokenKind.Number:
                case SqlTokenKind.String:
                case SqlTokenKind.Placeholder:
                    Append(ref hash, text, "?"u8, ref first, separate: true);
                    break;

                case SqlTokenKind.Word:
                    AppendLower(ref hash, text, t.Token, ref first);
                    break;

                default:
                    Append(ref hash, text, t.Token, ref first, separate: t.Kind != SqlTokenKind.Punctuation || t.Token[0] is (byte)'=' or (byte)'<' or (byte)'>' or (byte)'(');
                    break;
            }
        }
    }

    private static void Append(ref ulong hash, StringBuilder? text, ReadOnlySpan<byte> token, ref bool first, bool separate)
    {
        if (!first && separate)
        {
            Mix(ref hash, (byte)' ');
            text?.Append(' ');
        }

        first = false;
        foreach (byte b in token)
        {
            Mix(ref hash, b);
        }

        text?.Append(Encoding.UTF8.GetString(token));
    }

    private static void AppendLower(ref ulong hash, StringBuilder? text, ReadOnlySpan<byte> token, ref bool first)
    {
        if (!first)
        {
            Mix(ref hash, (byte)' ');
            text?.Append(' ');
        }

        first = false;
        foreach (byte b in token)
        {
            byte c = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
            Mix(ref hash, c);
            text?.Append((char)c);
        }
    }

    private static void Mix(ref ulong hash, byte b)
    {
        hash ^= b;
        hash *= FnvPrime;
    }
}
