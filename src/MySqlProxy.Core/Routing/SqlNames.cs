using System.Text;

namespace MySqlProxy.Core.Routing;

/// <summary>Names a session must remember to know when pinned state is gone: temporary tables and SQL prepared statements.</summary>
internal static class SqlNames
{
    /// <summary>Adds the table of each CREATE TEMPORARY TABLE to <paramref name="temporaryTables"/> and removes each table a DROP TABLE names.</summary>
    public static void VisitTables(ReadOnlySpan<byte> sql, HashSet<string> temporaryTables, bool applyCreates, bool applyDrops)
    {
        var t = new SqlTokenizer(sql);
        while (t.Next())
        {
            if (t.Is("CREATE"u8))
            {
                t.Next();
                if (t.Is("OR"u8))
                {
                    t.Next();
                    t.Next();
                }

                if (t.Is("TEMPORARY"u8) && t.Next() && t.Is("TABLE"u8) && t.Next())
                {
                    if (t.Is("IF"u8))
                    {
                        t.Next();
                        t.Next();
                        t.Next();
                    }

                    string name = ReadName(ref t);
                    if (applyCreates && name.Length > 0)
                    {
                        temporaryTables.Add(name);
                    }
                }
            }
            else if (t.Is("DROP"u8))
            {
                t.Next();
                if (t.Is("TEMPORARY"u8))
                {
                    t.Next();
                }

                if (!(t.Is("TABLE"u8) || t.Is("TABLES"u8)))
                {
                    continue;
                }

                t.Next();
                if (t.Is("IF"u8))
                {
                    t.Next();
                    t.Next();
                }

                while (t.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
                {
                    string name = ReadName(ref t);
                    if (applyDrops)
                    {
                        temporaryTables.Remove(name);
                    }

                    if (!t.IsPunctuation((byte)','))
                    {
                        break;
                    }

                    t.Next();
                }
            }

            // Skip to the next statement.
            while (t.Kind != SqlTokenKind.Semicolon && t.Kind != SqlTokenKind.End)
            {
                t.Next();
            }
        }
    }

    /// <summary>The statement name of PREPARE name FROM ... or DEALLOCATE/DROP PREPARE name, lower-cased; null for other statements.</summary>
    public static string? PreparedName(ReadOnlySpan<byte> sql)
    {
        var t = new SqlTokenizer(sql);
        if (!t.Next())
        {
            return null;
        }

        if (t.Is("DEALLOCATE"u8) || t.Is("DROP"u8))
        {
            t.Next();
        }

        if (!t.Is("PREPARE"u8) || !t.Next())
        {
            return null;
        }

        return ReadName(ref t);
    }

    /// <summary>Reads [schema.]name at the current token and moves past it; returns the table part, lower-cased and unquoted.</summary>
    private static string ReadName(ref SqlTokenizer t)
    {
        string name = Unquote(t);
        t.Next();
        while (t.IsPunctuation((byte)'.'))
        {
            t.Next();
            name = Unquote(t);
            t.Next();
        }

        return name;
    }

    private static string Unquote(SqlTokenizer t)
    {
        ReadOnlySpan<byte> token = t.Token;
        if (t.Kind == SqlTokenKind.QuotedIdentifier && token.Length >= 2)
        {
            token = token[1..^1];
        }

        return Encoding.UTF8.GetString(token).ToLowerInvariant();
    }
}
