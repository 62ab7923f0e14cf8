namespace MySqlProxy.Core.Statements;

/// <summary>
/// The statements prepared on one backend connection, shared by every session that uses it (one server
/// statement per distinct text), bounded by <c>pool.max_prepared_per_connection</c>: beyond it the least
/// recently used is closed, so max_prepared_stmt_count is never exhausted however many clients prepare.
/// </summary>
internal sealed class StatementCache
{
    private readonly Dictionary<StatementKey, BackendStatement> _byKey = [];
    private readonly LinkedList<BackendStatement> _recency = new();

    public int Count => _byKey.Count;

    /// <summary>Finds a statement and marks it most recently used.</summary>
    public BackendStatement? Find(StatementKey key)
    {
        if (_byKey.TryGetValue(key, out BackendStatement? statement))
        {
            _recency.Remove(statement.Node!);
            _recency.AddFirst(statement.Node!);
            return statement;
        }

        return null;
    }

    /// <summary>Adds a statement; returns the one evicted to stay within <paramref name="limit"/>, which the caller closes on the server.</summary>
    public BackendStatement? Add(BackendStatement statement, int limit)
    {
        BackendStatement? evicted = null;
        if (_byKey.Count >= limit && _recency.Last is { } oldest)
        {
            evicted = oldest.Value;
            _recency.RemoveLast();
            _byKey.Remove(evicted.Key);
        }

        statement.Node = _recency.AddFirst(statement);
        _byKey[statement.Key] = statement;
        return evicted;
    }

    /// <summary>
    /// Removes the least recently used statement when the cache holds <paramref name="limit"/> or more, so that a
    /// new one fits; returns it for the caller to close on the server before preparing the new one.
    /// </summary>
    public BackendStatement? RemoveOldestIfFull(int limit)
    {
        if (_byKey.Count < limit || _recency.Last is not { } oldest)
        {
            return null;
        }

        BackendStatement evicted = oldest.Value;
        _recency.RemoveLast();
        _byKey.Remove(evicted.Key);
        return evicted;
    }

    /// <summary>Forgets every statement (the server dropped them: COM_RESET_CONNECTION or COM_CHANGE_USER).</summary>
    public void Clear()
    {
        _byKey.Clear();
        _recency.Clear();
    }
}
