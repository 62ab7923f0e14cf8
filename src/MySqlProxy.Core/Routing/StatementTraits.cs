namespace MySqlProxy.Core.Routing;

/// <summary>What the classifier found in a statement (or in every statement of a multi-statement text).</summary>
[Flags]
internal enum StatementTraits : uint
{
    None = 0,

    /// <summary>Reads only, with no side effect: may run on a replica.</summary>
    Read = 1 << 0,

    /// <summary>Changes data or schema, or must otherwise run on the primary.</summary>
    Write = 1 << 1,

    /// <summary>Changes session state only (SET, USE): runs where the session's next statements run.</summary>
    SessionState = 1 << 2,

    /// <summary>BEGIN / START TRANSACTION (read-write).</summary>
    BeginTransaction = 1 << 3,

    /// <summary>START TRANSACTION READ ONLY.</summary>
    BeginReadOnlyTransaction = 1 << 4,

    /// <summary>COMMIT or ROLLBACK (not ROLLBACK TO SAVEPOINT).</summary>
    EndTransaction = 1 << 5,

    /// <summary>Assigns or reads a user variable (<c>@x</c>).</summary>
    UserVariable = 1 << 6,

    /// <summary>CREATE TEMPORARY TABLE.</summary>
    CreateTemporaryTable = 1 << 7,

    /// <summary>DROP [TEMPORARY] TABLE.</summary>
    DropTable = 1 << 8,

    /// <summary>GET_LOCK().</summary>
    GetLock = 1 << 9,

    /// <summary>RELEASE_LOCK().</summary>
    ReleaseLock = 1 << 10,

    /// <summary>RELEASE_ALL_LOCKS().</summary>
    ReleaseAllLocks = 1 << 11,

    /// <summary>LOCK TABLES.</summary>
    LockTables = 1 << 12,

    /// <summary>UNLOCK TABLES.</summary>
    UnlockTables = 1 << 13,

    /// <summary>FLUSH TABLES ... WITH READ LOCK.</summary>
    FlushWithReadLock = 1 << 14,

    /// <summary>SELECT SQL_CALC_FOUND_ROWS.</summary>
    CalcFoundRows = 1 << 15,

    /// <summary>Reads per-connection results of the previous statement: FOUND_ROWS(), LAST_INSERT_ID(), ROW_COUNT(), SHOW WARNINGS/ERRORS, GET DIAGNOSTICS.</summary>
    ReadsPreviousResult = 1 << 16,

    /// <summary>Text-protocol PREPARE.</summary>
    Prepare = 1 << 17,

    /// <summary>DEALLOCATE / DROP PREPARE.</summary>
    Deallocate = 1 << 18,

    /// <summary>SET TRANSACTION without SESSION/GLOBAL: characteristics of the next transaction only.</summary>
    SetNextTransaction = 1 << 19,

    /// <summary>SET of a session system variable (replayable through session tracking).</summary>
    SetSystemVariable = 1 << 20,

    /// <summary>SET of a variable the proxy cannot replay on another connection (session_track_*, ...).</summary>
    UnreplayableVariable = 1 << 21,

    /// <summary>FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE.</summary>
    LockingRead = 1 << 22,

    /// <summary>More than one statement in the text.</summary>
    MultiStatement = 1 << 23,

    /// <summary>USE db.</summary>
    Use = 1 << 24,

    /// <summary>A function with a side effect or sequence access (NEXTVAL, SETVAL, ...) or SELECT ... INTO.</summary>
    SideEffect = 1 << 25,

    /// <summary>COM_RESET_CONNECTION-like statements are not SQL; this marks CALL of a stored routine.</summary>
    Call = 1 << 26,

    /// <summary>A statement the classifier does not know: treated as a write.</summary>
    Unknown = 1 << 27,

    /// <summary>Mentions CONNECTION_ID().</summary>
    ConnectionId = 1 << 28,

    /// <summary>SET NAMES / SET CHARACTER SET.</summary>
    SetNames = 1 << 29,

    /// <summary>
    /// SET STATEMENT var=... FOR stmt: MariaDB 10.11's session tracker reports the statement's own values of
    /// those variables in its OK packet, and their restored values only with some later statement; neither is
    /// the session's state when the statement ends.
    /// </summary>
    StatementScopedVariables = 1u << 30,
}
