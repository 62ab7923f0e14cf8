using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Listener;
using MySqlProxy.Protocol;

namespace MySqlProxy.Benchmarks;

/// <summary>Response sizes relayed per round trip.</summary>
public enum RelayShape
{
    /// <summary>One row of 10 bytes: a point select.</summary>
    Rows1x10B,

    /// <summary>100 rows of 100 bytes (about 10 KiB).</summary>
    Rows100x100B,

    /// <summary>One row of 17 MiB: a payload split over two packets (16 MiB - 1 and the rest).</summary>
    Row1x17MiB,
}

/// <summary>
/// One round trip through the real proxy: a raw client logged in to an in-process <see cref="MySqlListener"/>
/// (the real listener, session, pool and relay), which borrows a backend connection to an in-process
/// <see cref="FakeMySqlServer"/> answering from canned bytes. The client and the fake server allocate nothing
/// per operation, so MemoryDiagnoser's "Allocated" (GC.GetTotalAllocatedBytes: every thread of the process)
/// is what the proxy allocates per statement, relay and routing included.
/// </summary>
public class RelayBenchmarks
{
    /// <summary>The statement the benchmark sends: a point select (routed as a read, no pin).</summary>
    public const string Sql = "SELECT c FROM sbtest1 WHERE id = 42";

    /// <summary>The prepared statement's text.</summary>
    public const string PreparedSql = "SELECT c FROM sbtest1 WHERE id = ?";

    private FakeMySqlServer? _server;
    private MySqlListener? _proxy;
    private RawClient? _client;
    private byte[] _query = [];
    private byte[] _execute = [];
    private long _queryResponseLength;
    private long _executeResponseLength;

    [Params(RelayShape.Rows1x10B, RelayShape.Rows100x100B, RelayShape.Row1x17MiB)]
    public RelayShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (int rows, int rowPayload) = Shape switch
        {
            RelayShape.Rows1x10B => (1, 10),
            RelayShape.Rows100x100B => (100, 100),
            _ => (1, 17 * 1024 * 1024),
        };
        _server = new FakeMySqlServer(
            deprecateEof => Wire.ResultSet(["c"], Enumerable.Range(0, rows).Select(_ => Wire.TextRow(rowPayload)), deprecateEof),
            deprecateEof => Wire.ResultSet(["c"], Enumerable.Range(0, rows).Select(_ => Wire.BinaryRow(rowPayload)), deprecateEof));

        var options = new ProxyOptions();
        options.Listen.Mysql = "127.0.0.1:0";
        options.Backends.Primary = new BackendOptions { Name = "fake", Host = "127.0.0.1", Port = _server.EndPoint.Port };
        options.Users.Add(new UserOptions { User = "app", Password = "app" });
        options.Sessions.ShutdownTimeout = Duration.FromSeconds(2);

        // A backend health monitor checks once at start and then stays quiet: its periodic work is not relaying.
        options.Monitor.Interval = Duration.FromSeconds(3600);
        _proxy = new MySqlListener(Options.Create(options), NullLoggerFactory.Instance);
        _proxy.StartAsync(CancellationToken.None).GetAwaiter().GetResult();

        _client = RawClient.Login(_proxy.LocalEndPoint!, "app", "app");
        bool deprecateEof = _client.DeprecateEof;

        // COM_QUERY: the relayed response must be the server's, byte for byte.
        _query = Wire.Query(Sql);
        byte[] expected = _server.QueryResponse(deprecateEof);
        _client.Send(_query);
        Check("COM_QUERY", _client.ReadResponse(CommandCode.Query), expected);
        _queryResponseLength = expected.Length;

        // COM_STMT_PREPARE once; the proxy answers with its own statement id.
        _client.Send(Wire.Command(CommandCode.StatementPrepare, System.Text.Encoding.UTF8.GetBytes(PreparedSql)));
        byte[] prepared = _client.ReadResponse(CommandCode.StatementPrepare);
        if (prepared.Length < PacketHeader.Size + 9 || prepared[PacketHeader.Size] != 0)
        {
            throw new InvalidOperationException($"COM_STMT_PREPARE failed: {Convert.ToHexString(prepared.AsSpan(0, Math.Min(prepared.Length, 64)))}");
        }

        uint statementId = BinaryPrimitives.ReadUInt32LittleEndian(prepared.AsSpan(PacketHeader.Size + 1));

        // COM_STMT_EXECUTE: [id][flags 0][iterations 1][NULL bitmap][new-params-bound 1][LONGLONG][42], as connectors send it.
        byte[] body = new byte[4 + 1 + 4 + 1 + 1 + 2 + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(body, statementId);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(5), 1);
        body[10] = 1;
        body[11] = Wire.TypeLongLong;
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(13), 42);
        _execute = Wire.Command(CommandCode.StatementExecute, body);
        expected = _server.ExecuteResponse(deprecateEof);
        _client.Send(_execute);
        Check("COM_STMT_EXECUTE", _client.ReadResponse(CommandCode.StatementExecute), expected);
        _executeResponseLength = expected.Length;
    }

    /// <summary>COM_QUERY round trip: send the statement, read the whole response.</summary>
    [Benchmark]
    public byte Query()
    {
        _client!.Send(_query);
        return _client.Drain(_queryResponseLength);
    }

    /// <summary>COM_STMT_EXECUTE round trip of a statement prepared in setup: binary result set of the same shape.</summary>
    [Benchmark]
    public byte Execute()
    {
        _client!.Send(_execute);
        return _client.Drain(_executeResponseLength);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        _proxy?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.Dispose();
    }

    private static void Check(string what, byte[] actual, byte[] expected)
    {
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException(
                $"{what}: the proxy relayed {actual.Length} bytes, the server sent {expected.Length}; first bytes {Convert.ToHexString(actual.AsSpan(0, Math.Min(actual.Length, 64)))}");
        }
    }
}
