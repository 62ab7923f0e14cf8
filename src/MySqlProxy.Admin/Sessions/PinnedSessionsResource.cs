namespace MySqlProxy.Admin.Sessions;

/// <summary>
/// <c>GET /api/sessions/pinned</c>: client sessions now, and how many are pinned to a backend connection by each
/// cause (snake_case, as in the <c>cause</c> label of <c>mysqlproxy_pinned_sessions</c>).
/// </summary>
internal sealed record PinnedSessionsResource(int Sessions, int Connections, IReadOnlyDictionary<string, int> Pinned);
