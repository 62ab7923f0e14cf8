using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Benchmarks;

/// <summary>
/// A scripted MySQL server on a loopback port, standing in for MariaDB 10.11 behind the proxy: it greets
/// like MariaDB, takes any login, and answers every command from responses built once. Each connection is
/// served by its own thread with blocking socket calls, so in steady state the server allocates nothing and
/// the process's allocation count is the proxy's (and the benchmark client's, also allocation-free).
/// </summary>
internal sealed class FakeMySqlServer : IDisposable
{
    /// <summary>The statement id the server gives every COM_STMT_PREPARE.</summary>
    public const uint StatementId = 1;

    private readonly Socket _listener;
    private readonly Func<bool, byte[]> _queryResponse;
    private readonly Func<bool, byte[]> _executeResponse;
    private readonly Lock _lock = new();
    private readonly List<Socket> _connections = [];
    private readonly Dictionary<bool, Canned> _canned = [];
    private readonly Thread _acceptThread;
    private uint _nextConnectionId = 100;
    private volatile bool _stopped;

    /// <param name="queryResponse">The response to a client's COM_QUERY, by whether CLIENT_DEPRECATE_EOF is in force.</param>
    /// <param name="executeResponse">The response to COM_STMT_EXECUTE, by whether CLIENT_DEPRECATE_EOF is in force.</param>
    public FakeMySqlServer(Func<bool, byte[]> queryResponse, Func<bool, byte[]> executeResponse)
    {
        _queryResponse = queryResponse;
        _executeResponse = executeResponse;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "fake-mysql-accept" };
        _acceptThread.Start();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The response the server sends to a client's COM_QUERY (what the proxy must relay byte for byte).</summary>
    public byte[] QueryResponse(bool deprecateEof) => CannedFor(deprecateEof).Query;

    /// <summary>The response the server sends to COM_STMT_EXECUTE.</summary>
    public byte[] ExecuteResponse(bool deprecateEof) => CannedFor(deprecateEof).Execute;

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        lock (_lock)
        {
            foreach (Socket connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    private Canned CannedFor(bool deprecateEof)
    {
        lock (_lock)
        {
            if (!_canned.TryGetValue(deprecateEof, out Canned? canned))
            {
                _canned[deprecateEof] = canned = new Canned(
                    Query: _queryResponse(deprecateEof),
                    Execute: _executeResponse(deprecateEof),
                    Charset: Wire.ResultSet(
                        ["@@character_set_client", "@@character_set_connection", "@@character_set_results", "@@collation_connection"],
                        [Wire.TextRow("utf8mb4", "utf8mb4", "utf8mb4", "utf8mb4_general_ci")],
                        deprecateEof),
                    Prepare: Wire.PrepareOk(StatementId, 1, ["c"], deprecateEof),
                    Gtid: Wire.ResultSet(["@@gtid_binlog_pos"], [Wire.TextRow("0-1-1")], deprecateEof),
                    ReadOnly: Wire.Error(1290, "HY000", "The MariaDB server is running with the --read-only option so it cannot execute this statement"));
            }

            return canned;
        }
    }

    private void AcceptLoop()
    {
        while (!_stopped)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            connection.NoDelay = true;
            lock (_lock)
            {
                _connections.Add(connection);
            }

            var thread = new Thread(() => Serve(connection)) { IsBackground = true, Name = "fake-mysql-connection" };
            thread.Start();
        }
    }

    private void Serve(Socket connection)
    {
        try
        {
            ServeCore(connection);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // The proxy hung up (the identity probe does right after the greeting) or the server stopped.
        }
        finally
        {
            lock (_lock)
            {
                _connections.Remove(connection);
            }

            connection.Dispose();
        }
    }

    private void ServeCore(Socket connection)
    {
        byte[] challenge = NativePassword.NewChallenge();
        SendAll(connection, Wire.Greeting(Interlocked.Increment(ref _nextConnectionId), challenge));

        var input = new PacketReader(connection);
        ReadOnlySpan<byte> login = input.Next(out byte loginSequence);
        HandshakeResponse response = HandshakeResponse.Read(login, Wire.MariaDb1011Capabilities);
        bool deprecateEof = (response.Capabilities & Wire.MariaDb1011Capabilities & Capabilities.DeprecateEof) != 0;
        Canned canned = CannedFor(deprecateEof);
        byte[] loginOk = Wire.Ok((byte)(loginSequence + 1));
        SendAll(connection, loginOk);

        byte[] ok = Wire.Ok(1);
        byte[] unknown = Wire.Error(1047, "08S01", "Unknown command");
        while (true)
        {
            ReadOnlySpan<byte> payload = input.Next(out _);
            if (payload.IsEmpty)
            {
                SendAll(connection, unknown);
                continue;
            }

            switch ((CommandCode)payload[0])
            {
                case CommandCode.Quit:
                    return;

                case CommandCode.Query:
                    ReadOnlySpan<byte> sql = payload[1..];
                    if (sql.StartsWith("SET "u8))
                    {
                        // The proxy's own SET SESSION session_track_... and alignment statements.
                        SendAll(connection, ok);
                    }
                    else if (sql.StartsWith("REPLACE INTO mysqlproxy.heartbeat"u8))
                    {
                        // The monitor's heartbeat write: refused as by a read-only server, so that the monitor
                        // only reads the GTID position (one statement) and reports the backend up.
                        SendAll(connection, canned.ReadOnly);
                    }
                    else if (sql.StartsWith("SELECT @@gtid"u8))
                    {
                        // A health monitor's replication position query.
                        SendAll(connection, canned.Gtid);
                    }
                    else if (sql.StartsWith("SELECT @@"u8))
                    {
                        // The proxy reads the connection's starting character set variables.
                        SendAll(connection, canned.Charset);
                    }
                    else
                    {
                        SendAll(connection, canned.Query);
                    }

                    break;

                case CommandCode.StatementPrepare:
                    SendAll(connection, canned.Prepare);
                    break;

                case CommandCode.StatementExecute:
                    if (payload.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]) != StatementId)
                    {
                        SendAll(connection, Wire.Error(1243, "HY000", "Unknown prepared statement handler"));
                        break;
                    }

                    SendAll(connection, canned.Execute);
                    break;

                case CommandCode.StatementClose or CommandCode.StatementSendLongData:
                    // No response.
                    break;

                case CommandCode.InitDb or CommandCode.Ping or CommandCode.ResetConnection or CommandCode.StatementReset:
                    SendAll(connection, ok);
                    break;

                default:
                    SendAll(connection, unknown);
                    break;
            }
        }
    }

    private static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int sent = socket.Send(bytes);
            bytes = bytes[sent..];
        }
    }

    private sealed record Canned(byte[] Query, byte[] Execute, byte[] Charset, byte[] Prepare, byte[] Gtid, byte[] ReadOnly);

    /// <summary>Blocking packet reads into one buffer per connection (grown only for a packet larger than it).</summary>
    private sealed class PacketReader(Socket socket)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private int _consumed;

        /// <summary>The next packet's payload (valid until the next call); a continued payload is not expected from the proxy here.</summary>
        public ReadOnlySpan<byte> Next(out byte sequenceId)
        {
            _start += _consumed;
            _consumed = 0;
            Fill(PacketHeader.Size);
            PacketHeader header = PacketHeader.Read(_buffer.AsSpan(_start));
            Fill(PacketHeader.Size + header.PayloadLength);
            sequenceId = header.SequenceId;
            _consumed = PacketHeader.Size + header.PayloadLength;
            return _buffer.AsSpan(_start + PacketHeader.Size, header.PayloadLength);
        }

        private void Fill(int count)
        {
            if (_end - _start >= count)
            {
                return;
            }

            if (_start == _end)
            {
                _start = _end = 0;
            }

            if (_start + count > _buffer.Length)
            {
                // Move what is left to the front (grow when one packet needs more room).
                byte[] target = count > _buffer.Length ? new byte[count] : _buffer;
                Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
                _buffer = target;
                _end -= _start;
                _start = 0;
            }

            while (_end - _start < count)
            {
                int read = socket.Receive(_buffer.AsSpan(_end));
                if (read == 0)
                {
                    throw new EndOfStreamException("connection closed");
                }

                _end += read;
            }
        }
    }
}
