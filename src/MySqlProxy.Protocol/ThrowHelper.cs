using System.Diagnostics.CodeAnalysis;

namespace MySqlProxy.Protocol;

/// <summary>Out-of-line throws keep the callers' fast paths small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void PacketFormat(string message) => throw new PacketFormatException(message);

    [DoesNotReturn]
    public static T PacketFormat<T>(string message) => throw new PacketFormatException(message);
}
