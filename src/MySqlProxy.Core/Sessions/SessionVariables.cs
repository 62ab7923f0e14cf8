using System.Text;

namespace MySqlProxy.Core.Sessions;

/// <summary>
/// Session state that can move between backend connections: the default schema and every session system
/// variable changed from its starting value, as the server itself reported it through session tracking.
/// A client session keeps the state it wants; each backend connection keeps the state it has.
/// </summary>
internal sealed class SessionVariables
{
    /// <summary>Tracked variables that are results, not settings; they are never replayed.</summary>
    private static readonly HashSet<string> s_ignored = new(StringComparer.OrdinalIgnoreCase)
    {
        "last_gtid", "in_transaction", "warning_count", "error_count", "last_insert_id", "identity", "insert_id",
        "external_user", "proxy_user", "pseudo_thread_id", "gtid_seq_no", "server_id", "rand_seed1", "rand_seed2",
    };

    private readonly Dictionary<string, string> _changed = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The default schema (null: none).</summary>
    public string? Schema { get; set; }

    /// <summary>Variables changed from their starting values: name to value as the server printed it.</summary>
    public IReadOnlyDictionary<string, string> Changed => _changed;

    /// <summary>Records a change reported by the server.</summary>
    public void Set(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        string n = Encoding.UTF8.GetString(name);
        if (!s_ignored.Contains(n))
        {
            _changed[n] = Encoding.UTF8.GetString(value);
        }
    }

    public void Set(string name, string value) => _changed[name] = value;

    /// <summary>Makes this state equal to <paramref name="other"/>.</summary>
    public void CopyFrom(SessionVariables other)
    {
        Schema = other.Schema;
        _changed.Clear();
        foreach (KeyValuePair<string, string> pair in other._changed)
        {
            _changed[pair.Key] = pair.Value;
        }
    }

    /// <summary>Back to the starting state, keeping <paramref name="schema"/>.</summary>
    public void Reset(string? schema)
    {
        Schema = schema;
        _changed.Clear();
    }

    /// <summary>True when the variables (not the schema) are the same.</summary>
    public bool SameVariables(SessionVariables other)
    {
        if (_changed.Count != other._changed.Count)
        {
            return false;
        }

        foreach (KeyValuePair<string, string> pair in _changed)
        {
            if (!other._changed.TryGetValue(pair.Key, out string? value) || !string.Equals(value, pair.Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The one SET statement that turns a connection in state <paramref name="actual"/> into this state's
    /// variables, or null when nothing differs. Variables the connection changed and this session did not
    /// go back to their defaults; <paramref name="baseline"/> supplies the starting values of the few
    /// variables whose default is not the global value (the handshake character set).
    /// </summary>
    public string? BuildAlignment(SessionVariables actual, IReadOnlyDictionary<string, string> baseline)
    {
        if (SameVariables(actual))
        {
            return null;
        }

        var sql = new StringBuilder("SET ");
        bool any = false;

        // Character set variables first: setting character_set_connection also resets collation_connection.
        foreach (KeyValuePair<string, string> pair in actual._changed.OrderBy(p => Order(p.Key)))
        {
            if (!_changed.ContainsKey(pair.Key))
            {
                Append(sql, ref any, pair.Key, baseline.TryGetValue(pair.Key, out string? start) ? Literal(start) : "DEFAULT");
            }
        }

        foreach (KeyValuePair<string, string> pair in _changed.OrderBy(p => Order(p.Key)))
        {
            if (!actual._changed.TryGetValue(pair.Key, out string? value) || !string.Equals(value, pair.Value, StringComparison.Ordinal))
            {
                Append(sql, ref any, pair.Key, Literal(pair.Value));
            }
        }

        return any ? sql.ToString() : null;
    }

    private static int Order(string name) =>
        name.StartsWith("character_set", StringComparison.OrdinalIgnoreCase) ? 0 :
        name.StartsWith("collation", StringComparison.OrdinalIgnoreCase) ? 1 : 2;

    private static void Append(StringBuilder sql, ref bool any, string name, string value)
    {
        if (any)
        {
            sql.Append(", ");
        }

        any = true;
        sql.Append("@@SESSION.`").Append(name.Replace("`", "``", StringComparison.Ordinal)).Append("` = ").Append(value);
    }

    /// <summary>Numbers stay numbers (numeric variables refuse strings); everything else becomes a quoted string.</summary>
    internal static string Literal(string value)
    {
        if (value.Length > 0 && value.Length < 30 && IsNumber(value))
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 2).Append('\'');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\'':
                    quoted.Append("''");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\0':
                    quoted.Append("\\0");
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }

        return quoted.Append('\'').ToString();
    }

    private static bool IsNumber(string value)
    {
        int i = value[0] == '-' ? 1 : 0;
        if (i == value.Length)
        {
            return false;
        }

        bool dot = false;
        for (; i < value.Length; i++)
        {
            if (value[i] == '.' && !dot)
            {
                dot = true;
            }
            else if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
