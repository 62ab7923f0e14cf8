namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>Hex strings with optional spaces, for byte arrays that read like a packet dump.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
