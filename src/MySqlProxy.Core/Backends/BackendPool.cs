using System.Diagnostics;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Protocol;

namespace MySqlProxy.Core.Backends;

/// <summary>
/// The authenticated connections to one backend, shared by every client session. At most
/// <c>pool.max_per_backend</c> are open (all users together); a borrower beyond that waits, first come
/// first served, up to <c>pool.borrow_timeout</c>. Idle connections are pinged before use after
/// <c>pool.ping_after_idle</c> and closed after <c>pool.idle_timeout</c>. A broken connection is never
/// pooled again.
/// </summary>
internal sealed class BackendPool : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<PoolKey, Stack<BackendConnection>> _idle = [];
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly PoolOptions _options;
    private readonly TimeSpan _connectTimeout;
    private readonly Func<PoolKey, string> _passwords;
    private readonly Timer _reaper;
    private int _open;
    private int _inUse;
    private int _idleCount;
    private long _waits;
    private long _waitTicks;
    private bool _disposed;
    private long _statements;
    private long _errors;
    private Monitoring.BackendHealth _health = Monitoring.BackendHealth.Unknown;

    public BackendPool(BackendEndpoint backend, PoolOptions options, TimeSpan connectTimeout, Func<PoolKey, string> passwords)
    {
        Backend = backend;
        _options = options;
        _connectTimeout = connectTimeout;
        _passwords = passwords;
        TimeSpan period = TimeSpan.FromMilliseconds(Math.Clamp(options.IdleTimeout.Value.TotalMilliseconds / 4, 100, 5000));
        _reaper = new Timer(static state => ((BackendPool)state!).CloseIdle(), this, period, period);
    }

    public BackendEndpoint Backend { get; }

    /// <summary>This backend's position in the context's list of pools (for per-backend statistics).</summary>
    public int Index { get; set; }

    /// <summary>Statements run on this backend since start.</summary>
    public long Statements => Interlocked.Read(ref _statements);

    /// <summary>Statements this backend answered with an error, or lost, since start.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>How many times the monitor has checked this backend.</summary>
    public int Checks { get; set; }

    /// <summary>True once the backend was removed at run time: the monitor stops watching it.</summary>
    public bool Removed { get; set; }

    /// <summary>What the monitor last found; new statements avoid a backend that is down.</summary>
    public Monitoring.BackendHealth Health
    {
        get => Volatile.Read(ref _health);
        set => Volatile.Write(ref _health, value);
    }

    /// <summary>Connections open now (idle, in use, or being opened).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections lent to sessions now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Pretends connections are in use (router tests without sockets).</summary>
    internal void AddInUseForTests(int delta)
    {
        lock (_lock)
        {
            _inUse += delta;
        }
    }

    /// <summary>Borrows that had to wait, and their total wait.</summary>
    public (long Count, TimeSpan Total) Waits => (Interlocked.Read(ref _waits), TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks)));

    /// <summary>The largest number of prepared statements any idle connection holds (for tests and diagnostics).</summary>
    public int MostStatementsOnOneConnection()
    {
        lock (_lock)
        {
            int most = 0;
            foreach (Stack<BackendConnection> stack in _idle.Values)
            {
                foreach (BackendConnection connection in stack)
                {
                    most = Math.Max(most, connection.Statements.Count);
                }
            }

            return most;
        }
    }

    /// <summary>Statements by route and their latency, for the metrics.</summary>
    public Diagnostics.StatementCounters Counters { get; } = new();

    /// <summary>Counts a statement run here, and whether it failed.</summary>
    public void CountStatement(bool failed)
    {
        Interlocked.Increment(ref _statements);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>Lends a connection for <paramref name="key"/>: an idle one, a new one, or the next one returned.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<BackendConnection> RentAsync(PoolKey key, CancellationToken cancellationToken)
    {
        long waitStart = 0;
        while (true)
        {
            BackendConnection? idle = null;
            BackendConnection? evicted = null;
            bool create = false;
            Waiter? waiter = null;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (TryPopIdle(key, out idle))
                {
                    _inUse++;
                }
                else if (_open < _options.MaxPerBackend)
                {
                    _open++;
                    _inUse++;
                    create = true;
                }
                else if (TryPopIdleOfOtherKey(key, out evicted))
                {
                    // The pool is full of another user's idle connections: trade one for ours.
                    _inUse++;
                    create = true;
                }
                else
                {
                    // A borrower woken for a slot that a newcomer took first goes back to the head of the line.
                    waiter = new Waiter(key);
                    waiter.Node = waitStart == 0 ? _waiters.AddLast(waiter) : _waiters.AddFirst(waiter);
                }
            }

            if (evicted is not null)
            {
                await evicted.DisposeAsync().ConfigureAwait(false);
            }

            if (idle is not null)
            {
                if (idle.IsClosedByPeer())
                {
                    // The server closed it while it was idle (wait_timeout, KILL, restart): never lend it.
                    Discard(idle);
                    continue;
                }

                if (Stopwatch.GetElapsedTime(idle.LastUsed) <= _options.PingAfterIdle.Value || await PingAsync(idle, cancellationToken).ConfigureAwait(false))
                {
                    RecordWait(waitStart);
                    return idle;
                }

                Discard(idle);
                continue;
            }

            if (create)
            {
                try
                {
                    BackendConnection created = await CreateAsync(key, cancellationToken).ConfigureAwait(false);
                    RecordWait(waitStart);
                    return created;
                }
                catch
                {
                    lock (_lock)
                    {
                        _open--;
                        _inUse--;
                    }

                    WakeOne();
                    throw;
                }
            }

            waitStart = waitStart == 0 ? Stopwatch.GetTimestamp() : waitStart;
            BackendConnection? handed;
            try
            {
                // One borrow_timeout for the whole borrow, however often it is woken and has to wait again.
                handed = await WaitAsync(waiter!, _options.BorrowTimeout.Value - Stopwatch.GetElapsedTime(waitStart), cancellationToken).ConfigureAwait(false);
            }
            catch (PoolExhaustedException)
            {
                RecordWait(waitStart);
                throw;
            }

            if (handed is not null)
            {
                RecordWait(waitStart);
                return handed;
            }

            // Woken because a slot came free: try again from the top.
        }
    }

    /// <summary>Takes a connection back: to a waiting borrower, to the idle list, or closed when broken.</summary>
    public void Return(BackendConnection connection)
    {
        Waiter? sameKey = null;
        Waiter? otherKey = null;
        bool close = false;
        lock (_lock)
        {
            _inUse--;
            if (connection.IsBroken || _disposed)
            {
                _open--;
                close = true;
                otherKey = TakeFirstWaiter(null);
            }
            else if ((sameKey = TakeFirstWaiter(connection.Key)) is not null)
            {
                _inUse++;
            }
            else if ((otherKey = TakeFirstWaiter(null)) is not null)
            {
                // Someone else needs a slot more than this connection needs to idle.
                _open--;
                close = true;
            }
            else
            {
                connection.LastUsed = Stopwatch.GetTimestamp();
                if (!_idle.TryGetValue(connection.Key, out Stack<BackendConnection>? stack))
                {
                    _idle[connection.Key] = stack = new Stack<BackendConnection>();
                }

                stack.Push(connection);
                _idleCount++;
            }
        }

        sameKey?.Completion.TrySetResult(connection);
        otherKey?.Completion.TrySetResult(null);
        if (close)
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    /// <summary>Closes every idle connection (a backend went down, or shutdown).</summary>
    public void CloseIdle(bool all)
    {
        var closing = new List<BackendConnection>();
        lock (_lock)
        {
            foreach (Stack<BackendConnection> stack in _idle.Values)
            {
                while (stack.Count > 0)
                {
                    closing.Add(stack.Pop());
                }
            }

            _idleCount = 0;
            _open -= closing.Count;
        }

        foreach (BackendConnection connection in closing)
        {
            if (all)
            {
                connection.Abort();
            }
            else
            {
                _ = connection.DisposeAsync().AsTask();
            }
        }

        WakeOne();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        await _reaper.DisposeAsync().ConfigureAwait(false);
        CloseIdle(all: false);
        lock (_lock)
        {
            foreach (Waiter waiter in _waiters)
            {
                waiter.Completion.TrySetException(new ObjectDisposedException(nameof(BackendPool)));
            }

            _waiters.Clear();
        }
    }

    private async Task<BackendConnection> CreateAsync(PoolKey key, CancellationToken cancellationToken)
    {
        var login = new BackendLogin(key.User, _passwords(key), null, key.CharacterSet, key.Capabilities | Capabilities.SessionTrack, null);
        BackendConnection connection = await BackendConnection.ConnectAsync(Backend, login, _connectTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Key = key;
            connection.Pool = this;
            await connection.EnableSessionTrackingAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Abort();
            throw;
        }
    }

    private static async ValueTask<bool> PingAsync(BackendConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            return await connection.PingAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or PacketFormatException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void Discard(BackendConnection connection)
    {
        connection.Abort();
        lock (_lock)
        {
            _open--;
            _inUse--;
        }

        WakeOne();
    }

    private async ValueTask<BackendConnection?> WaitAsync(Waiter waiter, TimeSpan remaining, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Completion.Task.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            bool taken;
            lock (_lock)
            {
                taken = waiter.Node?.List is null;
                if (!taken)
                {
                    _waiters.Remove(waiter.Node!);
                }
            }

            if (taken)
            {
                // Handed a connection or woken for a free slot just as the wait ended: the result is set right
                // after the waiter leaves the list. Neither may be lost: a lost connection would stay in use forever.
                BackendConnection? late = await waiter.Completion.Task.ConfigureAwait(false);
                if (late is not null && ex is TimeoutException)
                {
                    return late;
                }

                if (late is not null)
                {
                    Return(late);
                }
                else
                {
                    WakeOne();
                }
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new PoolExhaustedException(
                $"MySqlProxy: no connection to backend {Backend.Name} came free within {_options.BorrowTimeout} (pool.max_per_backend={_options.MaxPerBackend}, all in use)");
        }
    }

    private void WakeOne()
    {
        Waiter? waiter;
        lock (_lock)
        {
            waiter = TakeFirstWaiter(null);
        }

        waiter?.Completion.TrySetResult(null);
    }

    private Waiter? TakeFirstWaiter(PoolKey? key)
    {
        for (LinkedListNode<Waiter>? node = _waiters.First; node is not null; node = node.Next)
        {
            if (key is null || node.Value.Key == key.Value)
            {
                _waiters.Remove(node);
                return node.Value;
            }
        }

        return null;
    }

    private bool TryPopIdle(PoolKey key, out BackendConnection? connection)
    {
        if (_idle.TryGetValue(key, out Stack<BackendConnection>? stack) && stack.TryPop(out connection))
        {
            _idleCount--;
            return true;
        }

        connection = null;
        return false;
    }

    private bool TryPopIdleOfOtherKey(PoolKey key, out BackendConnection? connection)
    {
        foreach (KeyValuePair<PoolKey, Stack<BackendConnection>> pair in _idle)
        {
            if (pair.Key != key && pair.Value.TryPop(out connection))
            {
                _idleCount--;
                return true;
            }
        }

        connection = null;
        return false;
    }

    private void CloseIdle()
    {
        long now = Stopwatch.GetTimestamp();
        var closing = new List<BackendConnection>();
        lock (_lock)
        {
            if (_idleCount == 0)
            {
                return;
            }

            foreach (Stack<BackendConnection> stack in _idle.Values)
            {
                if (stack.Count == 0)
                {
                    continue;
                }

                // Keep the recently used (top of the stack); close the ones idle too long.
                BackendConnection[] items = stack.ToArray();
                stack.Clear();
                for (int i = items.Length - 1; i >= 0; i--)
                {
                    if (Stopwatch.GetElapsedTime(items[i].LastUsed, now) > _options.IdleTimeout.Value)
                    {
                        closing.Add(items[i]);
                    }
                    else
                    {
                        stack.Push(items[i]);
                    }
                }
            }

            _idleCount -= closing.Count;
            _open -= closing.Count;
        }

        foreach (BackendConnection connection in closing)
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    private void RecordWait(long start)
    {
        if (start != 0)
        {
            Interlocked.Increment(ref _waits);
            Interlocked.Add(ref _waitTicks, Stopwatch.GetElapsedTime(start).Ticks);
        }
    }

    private sealed class Waiter(PoolKey key)
    {
        public PoolKey Key { get; } = key;

        public TaskCompletionSource<BackendConnection?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
