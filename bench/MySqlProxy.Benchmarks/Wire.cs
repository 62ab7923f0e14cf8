using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Benchmarks;

/// <summary>Builds realistic server responses as raw bytes.</summary>
internal static class Wire
{
    /// <summary>A text result set: column count, definitions, rows of <paramref name="rowPayload"/> bytes, OK-0xFE terminator (DEPRECATE_EOF).</summary>
    public static byte[] TextResultSet(int columns, int rows, int rowPayload)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        byte seq = 1;
        using (var p = new PayloadWriter())
        {
            p.WriteLengthEncodedInteger((ulong)columns);
            seq = p.WritePacketsTo(output, seq);
        }

        for (int c = 0; c < columns; c++)
        {
            using var p = new PayloadWriter();
            p.WriteLengthEncodedString("def").WriteLengthEncodedString("app").WriteLengthEncodedString("t")
                .WriteLengthEncodedString("t").WriteLengthEncodedString($"c{c}").WriteLengthEncodedString($"c{c}")
                .WriteLengthEncodedInteger(0x0C).Write((ushort)45).Write(255u).Write((byte)0xFD).Write((ushort)0).Write((byte)0).Write((ushort)0);
            seq = p.WritePacketsTo(output, seq);
        }

        var value = new byte[rowPayload];
        for (int r = 0; r < rows; r++)
        {
            using var p = new PayloadWriter(rowPayload + 16);
            p.WriteLengthEncodedBytes(value.AsSpan(0, Math.Max(0, rowPayload - 9)));
            seq = p.WritePacketsTo(output, seq);
        }

        using (var p = new PayloadWriter())
        {
            p.Write(EofPayload.Signature).WriteLengthEncodedInteger(0).WriteLengthEncodedInteger(0).Write((ushort)ServerStatus.Autocommit).Write((ushort)0);
            p.WritePacketsTo(output, seq);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>An OK packet answering a write.</summary>
    public static byte[] Ok()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using var p = new PayloadWriter();
        OkPayload.Write(p, 1, 0, ServerStatus.Autocommit);
        p.WritePacketsTo(output, 1);
        return output.WrittenSpan.ToArray();
    }
}
