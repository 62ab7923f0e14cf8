namespace MySqlProxy.Protocol;

/// <summary>
/// Capability flags exchanged in the handshake. The low 32 bits are the MySQL flags
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html);
/// the high 32 bits are MariaDB's extended capabilities, sent in the handshake's reserved bytes when
/// the server clears bit 0 (https://mariadb.com/kb/en/connection/#capabilities).
/// </summary>
[Flags]
public enum Capabilities : ulong
{
    None = 0,

    /// <summary>CLIENT_LONG_PASSWORD; MariaDB calls it CLIENT_MYSQL and a MariaDB server clears it to announce extended capabilities.</summary>
    LongPassword = 0x1,

    /// <summary>CLIENT_FOUND_ROWS: affected rows counts found rows, not changed rows.</summary>
    FoundRows = 0x2,

    /// <summary>CLIENT_LONG_FLAG.</summary>
    LongFlag = 0x4,

    /// <summary>CLIENT_CONNECT_WITH_DB: the handshake response names a schema.</summary>
    ConnectWithDb = 0x8,

    /// <summary>CLIENT_NO_SCHEMA.</summary>
    NoSchema = 0x10,

    /// <summary>CLIENT_COMPRESS.</summary>
    Compress = 0x20,

    /// <summary>CLIENT_ODBC.</summary>
    Odbc = 0x40,

    /// <summary>CLIENT_LOCAL_FILES: LOAD DATA LOCAL INFILE.</summary>
    LocalFiles = 0x80,

    /// <summary>CLIENT_IGNORE_SPACE.</summary>
    IgnoreSpace = 0x100,

    /// <summary>CLIENT_PROTOCOL_41.</summary>
    Protocol41 = 0x200,

    /// <summary>CLIENT_INTERACTIVE.</summary>
    Interactive = 0x400,

    /// <summary>CLIENT_SSL.</summary>
    Ssl = 0x800,

    /// <summary>CLIENT_IGNORE_SIGPIPE.</summary>
    IgnoreSigpipe = 0x1000,

    /// <summary>CLIENT_TRANSACTIONS.</summary>
    Transactions = 0x2000,

    /// <summary>CLIENT_RESERVED.</summary>
    Reserved = 0x4000,

    /// <summary>CLIENT_SECURE_CONNECTION (CLIENT_RESERVED2): 1-byte length prefixed auth response.</summary>
    SecureConnection = 0x8000,

    /// <summary>CLIENT_MULTI_STATEMENTS.</summary>
    MultiStatements = 0x10000,

    /// <summary>CLIENT_MULTI_RESULTS.</summary>
    MultiResults = 0x20000,

    /// <summary>CLIENT_PS_MULTI_RESULTS.</summary>
    PsMultiResults = 0x40000,

    /// <summary>CLIENT_PLUGIN_AUTH.</summary>
    PluginAuth = 0x80000,

    /// <summary>CLIENT_CONNECT_ATTRS.</summary>
    ConnectAttrs = 0x100000,

    /// <summary>CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA.</summary>
    PluginAuthLenencClientData = 0x200000,

    /// <summary>CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS.</summary>
    CanHandleExpiredPasswords = 0x400000,

    /// <summary>CLIENT_SESSION_TRACK: OK packets carry session state changes.</summary>
    SessionTrack = 0x800000,

    /// <summary>CLIENT_DEPRECATE_EOF: result sets end with an OK packet (0xFE header) instead of EOF.</summary>
    DeprecateEof = 0x1000000,

    /// <summary>CLIENT_OPTIONAL_RESULTSET_METADATA (MySQL 8).</summary>
    OptionalResultsetMetadata = 0x2000000,

    /// <summary>CLIENT_ZSTD_COMPRESSION_ALGORITHM (MySQL 8).</summary>
    ZstdCompression = 0x4000000,

    /// <summary>CLIENT_QUERY_ATTRIBUTES (MySQL 8.0.23+): COM_QUERY and COM_STMT_EXECUTE carry attributes.</summary>
    QueryAttributes = 0x8000000,

    /// <summary>MULTI_FACTOR_AUTHENTICATION (MySQL 8.0.27+).</summary>
    MultiFactorAuthentication = 0x10000000,

    /// <summary>CLIENT_CAPABILITY_EXTENSION.</summary>
    CapabilityExtension = 0x20000000,

    /// <summary>CLIENT_SSL_VERIFY_SERVER_CERT.</summary>
    SslVerifyServerCert = 0x40000000,

    /// <summary>CLIENT_REMEMBER_OPTIONS.</summary>
    RememberOptions = 0x80000000,

    /// <summary>MARIADB_CLIENT_PROGRESS: progress reports inside responses.</summary>
    MariaDbProgress = 1UL << 32,

    /// <summary>MARIADB_CLIENT_COM_MULTI.</summary>
    MariaDbComMulti = 1UL << 33,

    /// <summary>MARIADB_CLIENT_STMT_BULK_OPERATIONS: COM_STMT_BULK_EXECUTE.</summary>
    MariaDbStmtBulkOperations = 1UL << 34,

    /// <summary>MARIADB_CLIENT_EXTENDED_METADATA: column definitions carry extended type info.</summary>
    MariaDbExtendedMetadata = 1UL << 35,

    /// <summary>MARIADB_CLIENT_CACHE_METADATA: COM_STMT_EXECUTE may omit unchanged metadata.</summary>
    MariaDbCacheMetadata = 1UL << 36,

    /// <summary>MARIADB_CLIENT_BULK_UNIT_RESULTS (MariaDB 11.5+).</summary>
    MariaDbBulkUnitResults = 1UL << 37,
}
