namespace MySqlProxy.Core.Sessions;

/// <summary>
/// Why a session keeps its backend connection between statements: state that lives on that connection
/// and cannot be carried to another one. Each cause is counted for metrics and shown by the admin API.
/// </summary>
[Flags]
public enum PinCauses
{
    None = 0,

    /// <summary>A transaction is open (SERVER_STATUS_IN_TRANS).</summary>
    Transaction = 1 << 0,

    /// <summary>User variables (<c>@x</c>) were set or read.</summary>
    UserVariable = 1 << 1,

    /// <summary>Temporary tables exist.</summary>
    TemporaryTable = 1 << 2,

    /// <summary>GET_LOCK() holds named locks.</summary>
    NamedLock = 1 << 3,

    /// <summary>LOCK TABLES is in force.</summary>
    LockTables = 1 << 4,

    /// <summary>FLUSH TABLES WITH READ LOCK is in force.</summary>
    GlobalReadLock = 1 << 5,

    /// <summary>SQL_CALC_FOUND_ROWS ran; FOUND_ROWS() must see the same connection (next statement only).</summary>
    FoundRows = 1 << 6,

    /// <summary>An insert generated an id; LAST_INSERT_ID() must see the same connection (next statement only).</summary>
    LastInsertId = 1 << 7,

    /// <summary>The last statement left warnings; SHOW WARNINGS must see the same connection (next statement only).</summary>
    Warnings = 1 << 8,

    /// <summary>Text-protocol PREPARE statements exist.</summary>
    SqlPrepare = 1 << 9,

    /// <summary>A variable the proxy cannot replay elsewhere was set (session_track_*, sql_log_bin, ...).</summary>
    UnreplayableVariable = 1 << 10,

    /// <summary>The server reported a session state change the proxy cannot name.</summary>
    UnknownState = 1 << 11,

    /// <summary>A prepared statement's cursor is open (COM_STMT_FETCH).</summary>
    Cursor = 1 << 12,

    /// <summary>COM_STMT_SEND_LONG_DATA sent parameter data awaiting its execute.</summary>
    LongData = 1 << 13,

    /// <summary>SET TRANSACTION set the characteristics of the next transaction.</summary>
    NextTransaction = 1 << 14,
}
