namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>One command's response as the server sent it; see <see cref="MariaDbCaptures"/> for the packet notation.</summary>
internal sealed record CapturedResponse(CommandCode Command, bool DeprecateEof, string[] Packets)
{
    public Capabilities Capabilities => DeprecateEof ? Capabilities.Protocol41 | Capabilities.DeprecateEof : Capabilities.Protocol41;

    public IReadOnlyList<ResponsePacket> Parse() => [.. Packets.Select(ResponsePacket.Parse)];
}
