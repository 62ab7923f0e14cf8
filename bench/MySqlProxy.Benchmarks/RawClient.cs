using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Benchmarks;

/// <summary>
/// A bare MySQL client on a blocking socket: logs in with the protocol library's own payload types, then
/// sends prebuilt command packets and drains responses into one reusable buffer. Allocation-free after
/// login except for the whole-response reads used to check the proxy's output in setup.
/// </summary>
internal sealed class RawClient : IDisposable
{
    /// <summary>What a modern connector asks for (MySqlConnector's set, without TLS, compression or attributes).</summary>
    public const Capabilities Wanted =
        Capabilities.LongFlag | Capabilities.Protocol41 | Capabilities.Transactions | Capabilities.SecureConnection |
        Capabilities.MultiStatements | Capabilities.MultiResults | Capabilities.PsMultiResults | Capabilities.PluginAuth |
        Capabilities.PluginAuthLenencClientData | Capabilities.SessionTrack | Capabilities.DeprecateEof;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];

    private RawClient(Socket socket, Capabilities capabilities)
    {
        _socket = socket;
        Capabilities = capabilities;
    }

    /// <summary>Capabilities in force on the connection.</summary>
    public Capabilities Capabilities { get; }

    public bool DeprecateEof => (Capabilities & Capabilities.DeprecateEof) != 0;

    /// <summary>Connects and logs in with mysql_native_password; throws on anything but OK.</summary>
    public static RawClient Login(EndPoint server, string user, string password, Capabilities wanted = Wanted)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(server);
            var client = new RawClient(socket, default);
            (PacketHeader header, byte[] payload) = client.ReadPacket();
            InitialHandshake greeting = InitialHandshake.Read(payload);
            Capabilities capabilities = wanted & greeting.Capabilities & ~(Capabilities)0xFFFF_FFFF_0000_0000UL;
            var response = new HandshakeResponse
            {
                Capabilities = capabilities,
                CharacterSet = (byte)Wire.Utf8Mb4GeneralCi,
                User = user,
                AuthResponse = NativePassword.Scramble(password, greeting.AuthPluginData),
                AuthPluginName = greeting.AuthPluginName,
            };
            using (var p = new PayloadWriter(128))
            {
                response.Write(p);
                var packet = new ArrayBufferWriter<byte>();
                p.WritePacketsTo(packet, (byte)(header.SequenceId + 1));
                client.Send(packet.WrittenSpan);
            }

            (_, byte[] answer) = client.ReadPacket();
            if (answer.Length == 0 || answer[0] != OkPayload.Signature)
            {
                string reason = answer.Length > 0 && answer[0] == ErrPayload.Signature ? ErrPayload.Read(answer).ToString() : Convert.ToHexString(answer);
                throw new InvalidOperationException($"login to {server} failed: {reason}");
            }

            return new RawClient(socket, capabilities);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends bytes (whole packets) without allocating.</summary>
    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int sent = _socket.Send(bytes);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes into the reusable buffer, discarding them; returns the last byte seen.</summary>
    public byte Drain(long count)
    {
        byte last = 0;
        while (count > 0)
        {
            int read = _socket.Receive(_buffer.AsSpan(0, (int)Math.Min(count, _buffer.Length)));
            if (read == 0)
            {
                throw new EndOfStreamException("the proxy closed the connection");
            }

            last = _buffer[read - 1];
            count -= read;
        }

        return last;
    }

    /// <summary>Reads one whole response to <paramref name="command"/> (setup only: allocates), every packet as received.</summary>
    public byte[] ReadResponse(CommandCode command)
    {
        var scanner = default(ResponseScanner);
        scanner.Start(command, Capabilities);
        var output = new ArrayBufferWriter<byte>();
        bool continuation = false;
        bool complete = false;
        while (!complete || continuation)
        {
            (PacketHeader header, byte[] payload) = ReadPacket();
            Span<byte> span = output.GetSpan(PacketHeader.Size + payload.Length);
            PacketHeader.Write(span, payload.Length, header.SequenceId);
            payload.CopyTo(span[PacketHeader.Size..]);
            output.Advance(PacketHeader.Size + payload.Length);
            if (!continuation)
            {
                complete = scanner.Feed(payload.AsSpan(0, Math.Min(payload.Length, ResponseScanner.PrefixSize)), payload.Length) != ScanOutcome.Continue;
            }

            continuation = header.HasContinuation;
        }

        return output.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        try
        {
            Send([1, 0, 0, 0, (byte)CommandCode.Quit]);
        }
        catch (SocketException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }

    private (PacketHeader Header, byte[] Payload) ReadPacket()
    {
        Span<byte> head = stackalloc byte[PacketHeader.Size];
        _socket.ReceiveExactly(head);
        PacketHeader header = PacketHeader.Read(head);
        byte[] payload = new byte[header.PayloadLength];
        _socket.ReceiveExactly(payload);
        return (header, payload);
    }
}

/// <summary>Blocking exact reads.</summary>
internal static class SocketExtensions
{
    public static void ReceiveExactly(this Socket socket, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int read = socket.Receive(destination);
            if (read == 0)
            {
                throw new EndOfStreamException("connection closed");
            }

            destination = destination[read..];
        }
    }
}
