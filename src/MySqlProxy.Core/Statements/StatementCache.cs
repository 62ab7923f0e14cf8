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

    /// <summary>Adds a statement as the most recently used (room was made with <see cref="RemoveOldestIfFull"/>).</summary>
    public void Add(BackendStatement statement)
    {
        statement.Node = _recency.AddFirst(statement);
        _byKey[statement.Key] = statement;
    }

    /// <summary>
    /// Removes the least recently used statement when the cache holds <paramref name="limit"/> or more, so that a
    /// new one fits; returns it for the caller to close on the server before preparing the new one. A statement
    /// still in use (<paramref name="inUse"/>, <paramref name="alsoInUse"/>: an open cursor, long data awaiting
    /// its execute) is never chosen; the limit gives way to them instead.
    /// </summary>
    public BackendStatement? RemoveOldestIfFull(int limit, StatementKey? inUse = null, StatementKey? alsoInUse = null)
    {
        if (_byKey.Count < limit)
        {
            return null;
        }

        for (LinkedListNode<BackendStatement>? node = _recency.Last; node is not null; node = node.Previous)
        {
            BackendStatement oldest = node.Value;
            if (oldest.Key == inUse || oldest.Key == alsoInUse)
            {
                continue;
            }

            _recency.Remove(node);
            _byKey.Remove(oldest.Key);
            return oldest;
        }

        return null;
    }

    /// <summary>Forgets every statement (the server dropped them: COM_RESET_CONNECTION or COM_CHANGE_USER).</summary>
    public void Clear()
    {
        _byKey.Clear();
        _recency.Clear();
    }
}
