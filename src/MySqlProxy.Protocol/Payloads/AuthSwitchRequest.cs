using System.Text;

namespace MySqlProxy.Protocol.Payloads;

/// <summary>
/// Protocol::AuthSwitchRequest: 0xFE, plugin name, plugin data
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html).
/// </summary>
public readonly struct AuthSwitchRequest
{
    /// <summary>The header byte; shared with EOF, told apart by the phase it arrives in.</summary>
    public const byte Signature = 0xFE;

    public AuthSwitchRequest(string pluginName, byte[] pluginData)
    {
        PluginName = pluginName;
        PluginData = pluginData;
    }

    public string PluginName { get; }

    /// <summary>The new challenge, without the trailing NUL some servers append.</summary>
    public byte[] PluginData { get; }

    public static AuthSwitchRequest Read(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        if (reader.ReadByte() != Signature)
        {
            ThrowHelper.PacketFormat("not an auth switch request");
        }

        string name = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrEndBytes());
        ReadOnlySpan<byte> data = reader.ReadRest();
        if (data.Length > 0 && data[^1] == 0)
        {
            data = data[..^1];
        }

        return new AuthSwitchRequest(name, data.ToArray());
    }

    public void Write(PayloadWriter writer) =>
        writer.Write(Signature).WriteNullTerminatedString(PluginName).Write(PluginData).Write((byte)0);
}
