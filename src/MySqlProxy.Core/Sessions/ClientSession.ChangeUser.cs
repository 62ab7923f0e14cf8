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
    /// new user, which also gives the fresh session state the server would. A refused change keeps the old
    /// user and schema but, as on the server, not the rest of the session state.
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

        // The server resets the session before it checks the new login (MariaDB 10.11 and MySQL 8 sql_parse.cc,
        // COM_CHANGE_USER: THD::change_user, then acl_authenticate), so the state goes whatever the outcome:
        // whatever the session kept on a pinned connection (transaction, temporary tables, locks, variables)
        // ends with that connection.
        string? oldSchema = _desired.Schema;
        if (_backend is not null)
        {
            BackendConnection pinned = _backend;
            _backend = null;
            pinned.MarkBroken();
            pinned.Pool!.Return(pinned);
        }

        (bool ok, byte sequence) = await AuthenticateAsync(user, plugin, auth, 1, ct).ConfigureAwait(false);
        if (!ok)
        {
            ResetSessionState(oldSchema);
            return true;
        }

        string? newSchema = string.IsNullOrEmpty(schema) ? null : schema;

        (string oldUser, byte oldCharset, byte[]? oldAttributes) = (User, _characterSet, _connectionAttributes);
        User = user;
        _characterSet = charset;
        _connectionAttributes = attributes;
        ResetSessionState(newSchema);
        (BackendConnection? backend, ErrPayload? failure) = await AcquireAsync(ct).ConfigureAwait(false);
        if (backend is null)
        {
            (User, _characterSet, _connectionAttributes) = (oldUser, oldCharset, oldAttributes);
            ResetSessionState(oldSchema);
            await WriteErrorAsync(failure!, sequence, ct).ConfigureAwait(false);
            return true;
        }

        ReleaseIfUnpinned();
        Log.ClientAuthenticated(_logger, Id, User);
        await WriteOkAsync(sequence, ct).ConfigureAwait(false);
        return true;
    }
}
