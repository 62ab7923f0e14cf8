using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>An ERR packet a raw command got back.</summary>
internal sealed class RawErrorException(ErrPayload error) : Exception($"ERR {error.ErrorCode} ({error.SqlState}): {error.Message}")
{
    public ErrPayload Error { get; } = error;
}
