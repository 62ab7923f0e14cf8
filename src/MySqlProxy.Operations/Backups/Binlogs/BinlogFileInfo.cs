using System.Buffers.Binary;

namespace MySqlProxy.Operations.Backups.Binlogs;

/// <summary>
/// What the archive index records about one binlog file, read from its events: the GTID state at its start
/// (Gtid_list event), the first and last GTID, and the first and last event time. Reads only event headers
/// and the first bytes of GTID events (https://mariadb.com/kb/en/2-binlog-event-header/, GTID_EVENT 0xa2,
/// GTID_LIST_EVENT 0xa3).
/// </summary>
public sealed record BinlogFileInfo(
    string StartState,
    string? FirstGtid,
    string? LastGtid,
    DateTimeOffset? FirstTime,
    DateTimeOffset? LastTime,
    long ServerId,
    int Transactions,
    bool Complete)
{
    private const int HeaderSize = 19;
    private const byte GtidEvent = 0xa2;
    private const byte GtidListEvent = 0xa3;
    private const byte RotateEvent = 0x04;
    private const byte StopEvent = 0x03;

    /// <summary>Reads a raw binlog file (as <c>mariadb-binlog --raw</c> writes it).</summary>
    public static BinlogFileInfo Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 4 || file[0] != 0xfe || file[1] != (byte)'b' || file[2] != (byte)'i' || file[3] != (byte)'n')
        {
            throw new FormatException("not a binlog file (bad magic)");
        }

        string startState = string.Empty;
        string? first = null;
        string? last = null;
        uint firstTime = 0;
        uint lastTime = 0;
        long serverId = 0;
        int transactions = 0;
        bool complete = false;
        int pos = 4;
        while (pos + HeaderSize <= file.Length)
        {
            ReadOnlySpan<byte> ev = file[pos..];
            uint time = BinaryPrimitives.ReadUInt32LittleEndian(ev);
            byte type = ev[4];
            uint server = BinaryPrimitives.ReadUInt32LittleEndian(ev[5..]);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(ev[9..]);
            if (length < HeaderSize || pos + length > file.Length)
            {
                break;
            }

            ReadOnlySpan<byte> body = ev[HeaderSize..length];
            if (time != 0)
            {
                if (firstTime == 0)
                {
                    firstTime = time;
                }

                lastTime = Math.Max(lastTime, time);
            }

            if (serverId == 0)
            {
                serverId = server;
            }

            if (type == GtidEvent && body.Length >= 12)
            {
                ulong seq = BinaryPrimitives.ReadUInt64LittleEndian(body);
                uint domain = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
                string gtid = $"{domain}-{server}-{seq}";
                first ??= gtid;
                last = gtid;
                transactions++;
            }
            else if (type == GtidListEvent && body.Length >= 4)
            {
                uint count = BinaryPrimitives.ReadUInt32LittleEndian(body) & 0x0fffffff;
                var parts = new List<string>();
                for (int i = 0; i < count && 4 + (i * 16) + 16 <= body.Length; i++)
                {
                    ReadOnlySpan<byte> g = body[(4 + (i * 16))..];
                    parts.Add($"{BinaryPrimitives.ReadUInt32LittleEndian(g)}-{BinaryPrimitives.ReadUInt32LittleEndian(g[4..])}-{BinaryPrimitives.ReadUInt64LittleEndian(g[8..])}");
                }

                startState = string.Join(',', parts);
            }
            else if (type is RotateEvent or StopEvent && pos > 4)
            {
                complete = true;
            }

            pos += length;
        }

        return new BinlogFileInfo(
            startState, first, last,
            firstTime == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(firstTime),
            lastTime == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(lastTime),
            serverId, transactions, complete);
    }
}
