using MySqlProxy.Protocol;

namespace MySqlProxy.Core.Backends;

/// <summary>
/// Which pooled connections a session can use: same user, same command-phase capabilities (they decide
/// the wire format of responses) and same handshake character set (the starting value of the
/// character set variables).
/// </summary>
internal readonly record struct PoolKey(string User, Capabilities Capabilities, byte CharacterSet);
