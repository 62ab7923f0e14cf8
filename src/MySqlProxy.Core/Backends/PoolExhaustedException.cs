namespace MySqlProxy.Core.Backends;

/// <summary>No connection to a backend became free within <c>pool.borrow_timeout</c>.</summary>
internal sealed class PoolExhaustedException : Exception
{
    public PoolExhaustedException()
    {
    }

    public PoolExhaustedException(string message)
        : base(message)
    {
    }

    public PoolExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
