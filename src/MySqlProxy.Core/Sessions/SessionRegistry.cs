using System.Collections.Concurrent;

namespace MySqlProxy.Core.Sessions;

/// <summary>The live client sessions by the connection id the proxy gave them.</summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<uint, ClientSession> _sessions = new();
    private int _nextId;

    public int Count => _sessions.Count;

    /// <summary>A connection id no live session has; ids start at 1 and wrap past uint.MaxValue.</summary>
    public uint NextId()
    {
        while (true)
        {
            uint id = (uint)Interlocked.Increment(ref _nextId);
            if (id != 0 && !_sessions.ContainsKey(id))
            {
                return id;
            }
        }
    }

    public void Add(ClientSession session) => _sessions[session.Id] = session;

    public void Remove(ClientSession session) => _sessions.TryRemove(new KeyValuePair<uint, ClientSession>(session.Id, session));

    public bool TryGet(uint id, out ClientSession? session) => _sessions.TryGetValue(id, out session);

    public ICollection<ClientSession> Snapshot() => _sessions.Values;
}
