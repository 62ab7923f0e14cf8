using MySqlProxy.Protocol;

namespace MySqlProxy.Core.Backends;

/// <summary>What a backend connection logs in with: the client's user, schema, character set and capabilities.</summary>
internal sealed record BackendLogin(
    string User,
    string Password,
    string? Database,
    byte CharacterSet,
    Capabilities ClientCapabilities,
    byte[]? ConnectionAttributes)
{
    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{User}{(Database is null ? string.Empty : "/" + Database)}";
}
