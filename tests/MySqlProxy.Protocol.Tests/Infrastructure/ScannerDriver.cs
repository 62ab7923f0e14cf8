namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>Feeds packets to a <see cref="ResponseScanner"/> the way the relay does and records every outcome.</summary>
internal static class ScannerDriver
{
    /// <summary>Feeds every packet (even after the response completed, which throws) and returns the outcomes.</summary>
    public static ScanOutcome[] Feed(ref ResponseScanner scanner, IEnumerable<ResponsePacket> packets)
    {
        var outcomes = new List<ScanOutcome>();
        foreach (ResponsePacket packet in packets)
        {
            ScanOutcome outcome = scanner.Feed(packet.Prefix, packet.PayloadLength);
            outcomes.Add(outcome);
            if (outcome == ScanOutcome.NeedClientData)
            {
                scanner.ClientDataSent();
            }
        }

        return [.. outcomes];
    }

    /// <summary>Starts the scanner for <paramref name="command"/> and feeds <paramref name="packets"/> given as hex.</summary>
    public static ScanOutcome[] Run(ref ResponseScanner scanner, CommandCode command, Capabilities capabilities, params string[] packets)
    {
        scanner.Start(command, capabilities);
        return Feed(ref scanner, packets.Select(ResponsePacket.Parse));
    }

    /// <summary>Continue for all but the last packet, which completes the response.</summary>
    public static ScanOutcome[] CompleteAtLast(int count) =>
        [.. Enumerable.Repeat(ScanOutcome.Continue, count - 1), ScanOutcome.Complete];
}
