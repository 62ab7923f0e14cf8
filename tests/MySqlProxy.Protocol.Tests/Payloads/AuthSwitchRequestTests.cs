using MySqlProxy.Protocol.Payloads;
using MySqlProxy.Protocol.Tests.Infrastructure;

namespace MySqlProxy.Protocol.Tests.Payloads;

public sealed class AuthSwitchRequestTests
{
    [Fact]
    public void Read_NativePasswordSwitchWithTrailingNul_DropsTheNul()
    {
        byte[] payload = [0xFE, .. "mysql_native_password\0"u8, .. Hex.Bytes(MariaDbCaptures.GreetingChallenge), 0x00];

        AuthSwitchRequest request = AuthSwitchRequest.Read(payload);

        Assert.Equal(AuthPluginNames.NativePassword, request.PluginName);
        Assert.Equal(MariaDbCaptures.GreetingChallenge, Hex.Of(request.PluginData).ToLowerInvariant());
    }

    [Fact]
    public void Read_WithoutTrailingNul_KeepsAllData()
    {
        byte[] payload = [0xFE, .. "client_ed25519\0"u8, 1, 2, 3];

        AuthSwitchRequest request = AuthSwitchRequest.Read(payload);

        Assert.Equal(AuthPluginNames.Ed25519, request.PluginName);
        Assert.Equal(new byte[] { 1, 2, 3 }, request.PluginData);
    }

    [Fact]
    public void Read_NameOnly_GivesEmptyData()
    {
        byte[] payload = [0xFE, .. "mysql_clear_password"u8];

        AuthSwitchRequest request = AuthSwitchRequest.Read(payload);

        Assert.Equal(AuthPluginNames.ClearPassword, request.PluginName);
        Assert.Empty(request.PluginData);
    }

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        byte[] challenge = NativePassword.NewChallenge();
        using var writer = new PayloadWriter();

        new AuthSwitchRequest(AuthPluginNames.NativePassword, challenge).Write(writer);

        Assert.Equal(1 + AuthPluginNames.NativePassword.Length + 1 + 20 + 1, writer.Length);
        AuthSwitchRequest read = AuthSwitchRequest.Read(writer.Payload);
        Assert.Equal(AuthPluginNames.NativePassword, read.PluginName);
        Assert.Equal(challenge, read.PluginData);
    }

    [Fact]
    public void Read_NotFe_Throws()
    {
        byte[] payload = [0x01, .. "mysql_native_password\0"u8];

        Assert.Throws<PacketFormatException>(() => AuthSwitchRequest.Read(payload));
    }
}
