using System.Text;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    /// <summary>
    /// COM_CHANGE_USER (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html):
    /// the proxy checks the new login itself, then replaces the backend connection with one logged in as the
    /// new user, which also gives the fresh session state the server would. A refused change leaves the
    /// session as it was.
    /// </summary>
    private async ValueTask<bool> ChangeUserAsync(PacketHeader header, CancellationToken ct)
    {
        byte[] packet = await TakeWholePacketAsync(header, ct).ConfigureAwait(false);
        string user;
        byte[] auth;
        string? schema;
        byte charset = _characterSet;
        string? plugin = null;
        byte[]? attributes = _connectionAttributes;
        try
        {
            var reader = new PayloadReader(packet);
            reader.Skip(1);
            user = Encoding.UTF8.GetString(reader.ReadNullTerminatedBytes());
            auth = (_capabilities & Capabilities.SecureConnection) != 0
                ? reader.ReadBytes(reader.ReadByte()).ToArray()
                : reader.ReadNullTerminatedBytes().ToArray();
            schema = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrEndBytes());
            if (reader.Remaining >= 2)
            {
                charset = (byte)reader.ReadUInt16();
            }

            if ((_capabilities & Capabilities.PluginAuth) != 0 && reader.Remaining > 0)
            {
                plugin = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrEndBytes());
            }

            if ((_capabilities & Capabilities.ConnectAttrs) != 0 && reader.Remaining > 0)
            {
                attributes = reader.ReadLengthEncodedBytes().ToArray();
            }
        }
        catch (PacketFormatException ex)
        {
            Log.ClientProtocolError(_logger, Id, ex.Message);
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.NetReadError, "08S01", "Got an error reading communication packets", 1, ct).ConfigureAwait(false);
            return false;
        }

        (bool ok, byte sequence) = await AuthenticateAsync(user, plugin, auth, 1, ct).ConfigureAwait(false);
        if (!ok)
        {
            return true;
        }

        string? newSchema = string.IsNullOrEmpty(schema) ? null : schema;
        var login = new BackendLogin(user, _context.Users[user], newSchema, charset, _capabilities, attributes);
        BackendConnection replacement;
        try
        {
            replacement = await BackendConnection.ConnectAsync(_context.Primary, login, _context.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (MySqlErrorException ex)
        {
            await WriteErrorAsync(new ErrPayload(ex.ErrorCode, ex.SqlState, ex.Message), sequence, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or EndOfStreamException or PacketFormatException)
        {
            Log.BackendConnectFailed(_logger, Id, _context.Primary.Name, ex.Message);
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.CannotConnect, "HY000",
                $"MySqlProxy: can't connect to backend {_context.Primary.Name} ({_context.Primary.Host}:{_context.Primary.Port}): {ex.Message}", sequence, ct).ConfigureAwait(false);
            return true;
        }

        BackendConnection? old = _backend;
        _backend = replacement;
        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        User = user;
        _schema = newSchema;
        _characterSet = charset;
        _connectionAttributes = attributes;
        Log.ClientAuthenticated(_logger, Id, User);
        await WriteOkAsync(sequence, ct).ConfigureAwait(false);
        return true;
    }
}
