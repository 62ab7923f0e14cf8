namespace MySqlProxy.Protocol;

/// <summary>
/// Server status flags carried by OK and EOF packets
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/mysql__com_8h.html, SERVER_STATUS_flags_enum).
/// </summary>
[Flags]
public enum ServerStatus : ushort
{
    None = 0,

    /// <summary>SERVER_STATUS_IN_TRANS: a transaction is open.</summary>
    InTransaction = 0x1,

    /// <summary>SERVER_STATUS_AUTOCOMMIT.</summary>
    Autocommit = 0x2,

    /// <summary>SERVER_MORE_RESULTS_EXISTS: another result follows this one.</summary>
    MoreResultsExist = 0x8,

    /// <summary>SERVER_QUERY_NO_GOOD_INDEX_USED.</summary>
    NoGoodIndexUsed = 0x10,

    /// <summary>SERVER_QUERY_NO_INDEX_USED.</summary>
    NoIndexUsed = 0x20,

    /// <summary>SERVER_STATUS_CURSOR_EXISTS: COM_STMT_EXECUTE opened a cursor; rows come by COM_STMT_FETCH.</summary>
    CursorExists = 0x40,

    /// <summary>SERVER_STATUS_LAST_ROW_SENT: the cursor is exhausted.</summary>
    LastRowSent = 0x80,

    /// <summary>SERVER_STATUS_DB_DROPPED.</summary>
    DatabaseDropped = 0x100,

    /// <summary>SERVER_STATUS_NO_BACKSLASH_ESCAPES.</summary>
    NoBackslashEscapes = 0x200,

    /// <summary>SERVER_STATUS_METADATA_CHANGED.</summary>
    MetadataChanged = 0x400,

    /// <summary>SERVER_QUERY_WAS_SLOW.</summary>
    QueryWasSlow = 0x800,

    /// <summary>SERVER_PS_OUT_PARAMS: the result set holds OUT parameters of a CALL.</summary>
    PsOutParams = 0x1000,

    /// <summary>SERVER_STATUS_IN_TRANS_READONLY.</summary>
    InReadOnlyTransaction = 0x2000,

    /// <summary>SERVER_SESSION_STATE_CHANGED: the OK packet carries session state changes.</summary>
    SessionStateChanged = 0x4000,
}
