using System.Buffers;
using BenchmarkDotNet.Attributes;
using MySqlProxy.Protocol;

namespace MySqlProxy.Benchmarks;

/// <summary>Walking packet headers and feeding the scanner, as the relay does, over a whole response.</summary>
public class ResponseScannerBenchmarks
{
    private byte[] _response = [];

    [Params(1, 100, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup() => _response = Wire.TextResultSet(columns: 4, rows: Rows, rowPayload: 64);

    [Benchmark]
    public int ScanResultSet()
    {
        var scanner = default(ResponseScanner);
        scanner.Start(CommandCode.Query, Capabilities.DeprecateEof | Capabilities.Protocol41);
        var buffer = new ReadOnlySequence<byte>(_response);
        int packets = 0;
        while (PacketHeader.TryRead(buffer, out PacketHeader header))
        {
            ReadOnlySpan<byte> prefix = buffer.FirstSpan.Slice(PacketHeader.Size, Math.Min(header.PayloadLength, ResponseScanner.PrefixSize));
            packets++;
            if (scanner.Feed(prefix, header.PayloadLength) == ScanOutcome.Complete)
            {
                break;
            }

            buffer = buffer.Slice(PacketHeader.Size + header.PayloadLength);
        }

        return packets;
    }
}
