namespace MySqlProxy.Operations.Jobs;

/// <summary>
/// A job step failed for a reason the operator can act on; the message is shown as the job's error as it is
/// (so it must never contain a password or key). Other exceptions are reported with their type and message.
/// </summary>
public sealed class JobFailedException : Exception
{
    public JobFailedException()
    {
    }

    public JobFailedException(string message)
        : base(message)
    {
    }

    public JobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A job was refused before it started (another run of the same chain is active, or the request is wrong).</summary>
public sealed class JobConflictException : Exception
{
    public JobConflictException()
    {
    }

    public JobConflictException(string message)
        : base(message)
    {
    }

    public JobConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
