namespace MySqlProxy.Protocol;

/// <summary>A peer sent bytes that do not form the packet the protocol expects at this point.</summary>
public sealed class PacketFormatException : Exception
{
    public PacketFormatException()
    {
    }

    public PacketFormatException(string message)
        : base(message)
    {
    }

    public PacketFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
