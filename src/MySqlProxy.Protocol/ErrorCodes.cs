namespace MySqlProxy.Protocol;

/// <summary>
/// Server error codes the proxy sends itself, with the SQLSTATE the server pairs them with
/// (https://mariadb.com/kb/en/mariadb-error-code-reference/, https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html).
/// </summary>
public static class ErrorCodes
{
    /// <summary>ER_CON_COUNT_ERROR, 08004: "Too many connections".</summary>
    public const ushort TooManyConnections = 1040;

    /// <summary>ER_HANDSHAKE_ERROR, 08S01: "Bad handshake".</summary>
    public const ushort HandshakeError = 1043;

    /// <summary>ER_ACCESS_DENIED_ERROR, 28000: "Access denied for user '%s'@'%s' (using password: %s)".</summary>
    public const ushort AccessDenied = 1045;

    /// <summary>ER_UNKNOWN_COM_ERROR, 08S01: "Unknown command".</summary>
    public const ushort UnknownCommand = 1047;

    /// <summary>ER_SERVER_SHUTDOWN, 08S01: "Server shutdown in progress".</summary>
    public const ushort ServerShutdown = 1053;

    /// <summary>ER_NO_SUCH_THREAD, HY000: "Unknown thread id: %lu".</summary>
    public const ushort NoSuchThread = 1094;

    /// <summary>ER_KILL_DENIED_ERROR, HY000: "You are not owner of thread %lu".</summary>
    public const ushort KillDenied = 1095;

    /// <summary>ER_UNKNOWN_ERROR, HY000.</summary>
    public const ushort UnknownError = 1105;

    /// <summary>ER_NET_PACKET_TOO_LARGE, 08S01: "Got a packet bigger than 'max_allowed_packet' bytes".</summary>
    public const ushort PacketTooLarge = 1153;

    /// <summary>ER_NET_READ_ERROR, 08S01: "Got an error reading communication packets".</summary>
    public const ushort NetReadError = 1158;

    /// <summary>ER_NET_PACKETS_OUT_OF_ORDER, 08S01: "Got packets out of order".</summary>
    public const ushort PacketsOutOfOrder = 1156;

    /// <summary>ER_NOT_SUPPORTED_AUTH_MODE, 08004: "Client does not support authentication protocol requested by server".</summary>
    public const ushort NotSupportedAuthMode = 1251;

    /// <summary>CR_CONN_HOST_ERROR: "Can't connect to MySQL server on '%s' (%d)"; sent when a backend is unreachable.</summary>
    public const ushort CannotConnect = 2003;

    /// <summary>CR_SERVER_LOST: "Lost connection to MySQL server during query"; sent when a backend dies mid-statement.</summary>
    public const ushort ServerLost = 2013;

    /// <summary>The proxy's own: no backend connection came free within pool.borrow_timeout (as ProxySQL's 9001).</summary>
    public const ushort PoolExhausted = 9001;

    /// <summary>The proxy's own: no backend may serve the statement (no replica and reads_on_primary is never).</summary>
    public const ushort NoBackend = 9002;

    /// <summary>The proxy's own: a route hint names a backend that does not exist.</summary>
    public const ushort UnknownBackend = 9003;

    /// <summary>ER_CONNECTION_KILLED (MariaDB 1927, 70100): "Connection was killed".</summary>
    public const ushort ConnectionKilled = 1927;
}
