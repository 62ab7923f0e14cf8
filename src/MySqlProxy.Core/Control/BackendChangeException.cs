namespace MySqlProxy.Core.Control;

/// <summary>A backend could not be added or removed; <see cref="Field"/> names what is at fault (name, host, port, weight, ...).</summary>
public sealed class BackendChangeException : Exception
{
    public BackendChangeException()
    {
        Field = string.Empty;
    }

    public BackendChangeException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    public BackendChangeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    public BackendChangeException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>The request field at fault, or empty when the backend as a whole is.</summary>
    public string Field { get; }
}

/// <summary>How removing a backend ended.</summary>
/// <param name="Name">The backend.</param>
/// <param name="Removed">True when it is gone from routing and its connections are closed.</param>
/// <param name="Reason">Why it was not removed (work still running on it after the wait), or null.</param>
/// <param name="ConnectionsInUse">Backend connections still lent to sessions (pinned sessions, running statements) at the end.</param>
/// <param name="Waited">How long the removal waited for that work.</param>
public sealed record BackendRemoval(string Name, bool Removed, string? Reason, int ConnectionsInUse, TimeSpan Waited);
