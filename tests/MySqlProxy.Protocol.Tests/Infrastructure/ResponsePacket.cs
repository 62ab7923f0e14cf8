using System.Globalization;

namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>
/// A logical packet as the scanner sees it: its payload length (from the first header) and its payload, whole or,
/// for payloads too large to keep, only the first bytes.
/// </summary>
internal readonly record struct ResponsePacket(int PayloadLength, byte[] Payload)
{
    /// <summary>True when <see cref="Payload"/> holds every byte of the payload.</summary>
    public bool IsWhole => Payload.Length == PayloadLength;

    /// <summary>What the relay hands the scanner: the first <see cref="ResponseScanner.PrefixSize"/> bytes.</summary>
    public ReadOnlySpan<byte> Prefix => Payload.AsSpan(0, Math.Min(Payload.Length, ResponseScanner.PrefixSize));

    /// <summary>A whole payload from hex.</summary>
    public static ResponsePacket Of(string hex)
    {
        byte[] payload = Hex.Bytes(hex);
        return new ResponsePacket(payload.Length, payload);
    }

    /// <summary>A payload of <paramref name="payloadLength"/> bytes of which only the first are given.</summary>
    public static ResponsePacket Large(int payloadLength, string prefixHex) => new(payloadLength, Hex.Bytes(prefixHex));

    /// <summary>Reads <c>hex</c> or <c>length:prefix-hex</c>.</summary>
    public static ResponsePacket Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? Of(text) : Large(int.Parse(text.AsSpan(0, colon), CultureInfo.InvariantCulture), text[(colon + 1)..]);
    }
}
