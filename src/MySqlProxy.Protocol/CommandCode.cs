namespace MySqlProxy.Protocol;

/// <summary>
/// The first byte of a command packet
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/my__command_8h.html, https://mariadb.com/kb/en/0-packet/).
/// </summary>
public enum CommandCode : byte
{
    /// <summary>COM_SLEEP: internal to the server; clients never send it.</summary>
    Sleep = 0x00,

    /// <summary>COM_QUIT.</summary>
    Quit = 0x01,

    /// <summary>COM_INIT_DB: change the default schema.</summary>
    InitDb = 0x02,

    /// <summary>COM_QUERY: a text-protocol statement.</summary>
    Query = 0x03,

    /// <summary>COM_FIELD_LIST (deprecated).</summary>
    FieldList = 0x04,

    /// <summary>COM_CREATE_DB (deprecated).</summary>
    CreateDb = 0x05,

    /// <summary>COM_DROP_DB (deprecated).</summary>
    DropDb = 0x06,

    /// <summary>COM_REFRESH (deprecated).</summary>
    Refresh = 0x07,

    /// <summary>COM_SHUTDOWN (deprecated).</summary>
    Shutdown = 0x08,

    /// <summary>COM_STATISTICS: answered by one unframed string.</summary>
    Statistics = 0x09,

    /// <summary>COM_PROCESS_INFO (deprecated SHOW PROCESSLIST).</summary>
    ProcessInfo = 0x0A,

    /// <summary>COM_CONNECT: internal.</summary>
    Connect = 0x0B,

    /// <summary>COM_PROCESS_KILL (deprecated KILL CONNECTION).</summary>
    ProcessKill = 0x0C,

    /// <summary>COM_DEBUG.</summary>
    Debug = 0x0D,

    /// <summary>COM_PING.</summary>
    Ping = 0x0E,

    /// <summary>COM_TIME: internal.</summary>
    Time = 0x0F,

    /// <summary>COM_DELAYED_INSERT: internal.</summary>
    DelayedInsert = 0x10,

    /// <summary>COM_CHANGE_USER: re-authenticate and reset the session.</summary>
    ChangeUser = 0x11,

    /// <summary>COM_BINLOG_DUMP: replication stream.</summary>
    BinlogDump = 0x12,

    /// <summary>COM_TABLE_DUMP: internal.</summary>
    TableDump = 0x13,

    /// <summary>COM_CONNECT_OUT: internal.</summary>
    ConnectOut = 0x14,

    /// <summary>COM_REGISTER_SLAVE: replication.</summary>
    RegisterSlave = 0x15,

    /// <summary>COM_STMT_PREPARE.</summary>
    StatementPrepare = 0x16,

    /// <summary>COM_STMT_EXECUTE.</summary>
    StatementExecute = 0x17,

    /// <summary>COM_STMT_SEND_LONG_DATA: no response.</summary>
    StatementSendLongData = 0x18,

    /// <summary>COM_STMT_CLOSE: no response.</summary>
    StatementClose = 0x19,

    /// <summary>COM_STMT_RESET.</summary>
    StatementReset = 0x1A,

    /// <summary>COM_SET_OPTION: multi-statements on or off.</summary>
    SetOption = 0x1B,

    /// <summary>COM_STMT_FETCH: rows from an open cursor.</summary>
    StatementFetch = 0x1C,

    /// <summary>COM_DAEMON: internal.</summary>
    Daemon = 0x1D,

    /// <summary>COM_BINLOG_DUMP_GTID: replication stream.</summary>
    BinlogDumpGtid = 0x1E,

    /// <summary>COM_RESET_CONNECTION: reset session state without re-authenticating.</summary>
    ResetConnection = 0x1F,

    /// <summary>MariaDB COM_STMT_BULK_EXECUTE (https://mariadb.com/kb/en/com_stmt_bulk_execute/).</summary>
    StatementBulkExecute = 0xFA,
}
