namespace MySqlProxy.Protocol;

/// <summary>A server answered with an ERR packet where the proxy needed success (handshake, auth, its own statements).</summary>
public sealed class MySqlErrorException : Exception
{
    public MySqlErrorException()
        : this(0, "HY000", "unknown error")
    {
    }

    public MySqlErrorException(string message)
        : this(0, "HY000", message)
    {
    }

    public MySqlErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        SqlState = "HY000";
    }

    public MySqlErrorException(ushort errorCode, string sqlState, string message)
        : base(message)
    {
        ErrorCode = errorCode;
        SqlState = sqlState;
    }

    public ushort ErrorCode { get; }

    public string SqlState { get; }
}
