namespace MySqlProxy.Core.Routing;

/// <summary>
/// Decides from statement text alone what a statement does, for routing and for pinning: read or write,
/// session state, transaction control, and the constructs that tie a session to one backend connection.
/// Allocation-free; unknown statements count as writes.
/// </summary>
internal static class StatementClassifier
{
    public static StatementTraits Classify(ReadOnlySpan<byte> sql)
    {
        var tokens = new SqlTokenizer(sql);
        StatementTraits all = StatementTraits.None;
        bool allRead = true;
        int statements = 0;
        while (tokens.Next())
        {
            if (tokens.Kind == SqlTokenKind.Semicolon)
            {
                continue;
            }

            StatementTraits one = ClassifyOne(ref tokens);
            statements++;
            allRead &= (one & StatementTraits.Read) != 0;
            all |= one;
        }

        if (statements == 0)
        {
            return StatementTraits.None;
        }

        if (statements > 1)
        {
            all |= StatementTraits.MultiStatement;
        }

        // One write, lock or side effect anywhere makes the whole text a write.
        if (!allRead)
        {
            all &= ~StatementTraits.Read;
        }

        return all;
    }

    /// <summary>Classifies the statement starting at the current token; leaves the tokenizer at its end (';' or end).</summary>
    private static StatementTraits ClassifyOne(ref SqlTokenizer t)
    {
        StatementTraits traits;
        if (t.Kind != SqlTokenKind.Word)
        {
            // "(SELECT ...) UNION (SELECT ...)" starts with a parenthesis.
            traits = t.IsPunctuation((byte)'(') ? StatementTraits.Read : StatementTraits.Unknown | StatementTraits.Write;
            return ScanBody(ref t, traits, isSelect: traits == StatementTraits.Read);
        }

        if (t.Is("SELECT"u8) || t.Is("VALUES"u8) || t.Is("TABLE"u8))
        {
            return ScanBody(ref t, StatementTraits.Read, isSelect: true);
        }

        if (t.Is("WITH"u8))
        {
            return ScanWith(ref t);
        }

        if (t.Is("SHOW"u8))
        {
            t.Next();
            if (t.Is("FULL"u8))
            {
                // SHOW FULL TABLES / COLUMNS read the schema; SHOW FULL PROCESSLIST is about one server.
                t.Next();
                return ScanBody(ref t, t.Is("PROCESSLIST"u8) ? StatementTraits.Write : StatementTraits.Read, isSelect: false);
            }

            traits = StatementTraits.Read;
            if (t.Is("WARNINGS"u8) || t.Is("ERRORS"u8) || (t.Is("COUNT"u8)))
            {
                traits = StatementTraits.ReadsPreviousResult | StatementTraits.SessionState;
            }
            else if (t.Is("MASTER"u8) || t.Is("BINARY"u8) || t.Is("BINLOG"u8) || t.Is("SLAVE"u8) || t.Is("REPLICA"u8) ||
                t.Is("ALL"u8) || t.Is("PROCESSLIST"u8) || t.Is("FULL"u8) || t.Is("STATUS"u8) || t.Is("SESSION"u8) || t.Is("VARIABLES"u8) || t.Is("PROFILE"u8) || t.Is("PROFILES"u8))
            {
                // Server- or session-specific: answer from the primary, as a direct connection would.
                traits = StatementTraits.Write;
            }

            return ScanBody(ref t, traits, isSelect: false);
        }

        if (t.Is("HELP"u8))
        {
            return ScanBody(ref t, StatementTraits.Read, isSelect: false);
        }

        if (t.Is("EXPLAIN"u8) || t.Is("ANALYZE"u8) || t.Is("DESCRIBE"u8) || t.Is("DESC"u8))
        {
            // DESCRIBE and DESC are synonyms of EXPLAIN: of a table (a read) or of a statement (as the statement).
            bool analyze = t.Is("ANALYZE"u8);
            t.Next();
            while (t.Is("EXTENDED"u8) || t.Is("PARTITIONS"u8) || t.Is("FORMAT"u8) || t.IsPunctuation((byte)'=') || t.Is("JSON"u8) ||
                t.Is("TRADITIONAL"u8) || t.Is("TREE"u8) || t.Is("ANALYZE"u8))
            {
                t.Next();
            }

            if (analyze && (t.Is("TABLE"u8) || t.Is("TABLES"u8) || t.Is("NO_WRITE_TO_BINLOG"u8) || t.Is("LOCAL"u8)))
            {
                return ScanBody(ref t, StatementTraits.Write, isSelect: false);
            }

            if (t.Is("SELECT"u8) || t.Is("WITH"u8) || t.Is("TABLE"u8) || t.IsPunctuation((byte)'('))
            {
                // EXPLAIN of a read is a read; ANALYZE SELECT executes it, still a read.
                return ScanBody(ref t, StatementTraits.Read, isSelect: true);
            }

            if (t.Kind == SqlTokenKind.Word && !(t.Is("UPDATE"u8) || t.Is("DELETE"u8) || t.Is("INSERT"u8) || t.Is("REPLACE"u8)))
            {
                // EXPLAIN tbl (= DESCRIBE).
                return ScanBody(ref t, StatementTraits.Read, isSelect: false);
            }

            return ScanBody(ref t, StatementTraits.Write, isSelect: false);
        }

        if (t.Is("SET"u8))
        {
            return ScanSet(ref t);
        }

        if (t.Is("USE"u8))
        {
            return ScanBody(ref t, StatementTraits.SessionState | StatementTraits.Use, isSelect: false);
        }

        if (t.Is("BEGIN"u8))
        {
            t.Next();
            if (t.Is("NOT"u8))
            {
                // BEGIN NOT ATOMIC: a compound statement.
                return ScanBody(ref t, StatementTraits.Write, isSelect: false);
            }

            return ScanBody(ref t, StatementTraits.BeginTransaction, isSelect: false);
        }

        if (t.Is("START"u8))
        {
            t.Next();
            if (!t.Is("TRANSACTION"u8))
            {
                // START SLAVE / START REPLICA ...
                return ScanBody(ref t, StatementTraits.Write, isSelect: false);
            }

            traits = StatementTraits.BeginTransaction;
            while (t.Next() && t.Kind != SqlTokenKind.Semicolon)
            {
                if (t.Is("ONLY"u8))
                {
                    traits = StatementTraits.BeginReadOnlyTransaction;
                }
                else if (t.Is("WRITE"u8))
                {
                    traits = StatementTraits.BeginTransaction;
                }
            }

            return traits;
        }

        if (t.Is("COMMIT"u8))
        {
            return ScanBody(ref t, StatementTraits.EndTransaction, isSelect: false);
        }

        if (t.Is("ROLLBACK"u8))
        {
            t.Next();
            if (t.Is("WORK"u8))
            {
                t.Next();
            }

            if (t.Is("TO"u8))
            {
                return ScanBody(ref t, StatementTraits.None, isSelect: false);
            }

            return ScanBody(ref t, StatementTraits.EndTransaction, isSelect: false);
        }

        if (t.Is("SAVEPOINT"u8) || (t.Is("RELEASE"u8)))
        {
            return ScanBody(ref t, StatementTraits.None, isSelect: false);
        }

        if (t.Is("CREATE"u8))
        {
            t.Next();
            if (t.Is("OR"u8))
            {
                t.Next();
                t.Next();
            }

            traits = t.Is("TEMPORARY"u8) ? StatementTraits.Write | StatementTraits.CreateTemporaryTable : StatementTraits.Write;
            return ScanBody(ref t, traits, isSelect: false);
        }

        if (t.Is("DROP"u8))
        {
            t.Next();
            if (t.Is("PREPARE"u8))
            {
                return ScanBody(ref t, StatementTraits.Write | StatementTraits.Deallocate, isSelect: false);
            }

            traits = t.Is("TEMPORARY"u8) || t.Is("TABLE"u8) || t.Is("TABLES"u8) ? StatementTraits.Write | StatementTraits.DropTable : StatementTraits.Write;
            return ScanBody(ref t, traits, isSelect: false);
        }

        if (t.Is("LOCK"u8))
        {
            return ScanBody(ref t, StatementTraits.Write | StatementTraits.LockTables, isSelect: false);
        }

        if (t.Is("UNLOCK"u8))
        {
            return ScanBody(ref t, StatementTraits.Write | StatementTraits.UnlockTables, isSelect: false);
        }

        if (t.Is("FLUSH"u8))
        {
            traits = StatementTraits.Write;
            bool tables = false;
            while (t.Next() && t.Kind != SqlTokenKind.Semicolon)
            {
                tables |= t.Is("TABLES"u8) || t.Is("TABLE"u8);
                if (tables && t.Is("LOCK"u8))
                {
                    traits |= StatementTraits.FlushWithReadLock;
                }
            }

            return traits;
        }

        if (t.Is("PREPARE"u8))
        {
            return ScanBody(ref t, StatementTraits.Write | StatementTraits.Prepare, isSelect: false);
        }

        if (t.Is("DEALLOCATE"u8))
        {
            return ScanBody(ref t, StatementTraits.Write | StatementTraits.Deallocate, isSelect: false);
        }

        if (t.Is("EXECUTE"u8))
        {
            return ScanBody(ref t, StatementTraits.Write | StatementTraits.Prepare, isSelect: false);
        }

        if (t.Is("CALL"u8))
        {
            return ScanBody(ref t, StatementTraits.Write | StatementTraits.Call, isSelect: false);
        }

        if (t.Is("DO"u8))
        {
            // DO evaluates expressions for their side effects (DO GET_LOCK(...), DO SLEEP(1)).
            return ScanBody(ref t, StatementTraits.Write, isSelect: false);
        }

        if (t.Is("GET"u8))
        {
            return ScanBody(ref t, StatementTraits.ReadsPreviousResult | StatementTraits.SessionState, isSelect: false);
        }

        if (t.Is("INSERT"u8) || t.Is("UPDATE"u8) || t.Is("DELETE"u8) || t.Is("REPLACE"u8) || t.Is("LOAD"u8) ||
            t.Is("ALTER"u8) || t.Is("TRUNCATE"u8) || t.Is("RENAME"u8) || t.Is("GRANT"u8) || t.Is("REVOKE"u8) ||
            t.Is("OPTIMIZE"u8) || t.Is("REPAIR"u8) || t.Is("CHECK"u8) || t.Is("CHECKSUM"u8) || t.Is("HANDLER"u8) ||
            t.Is("XA"u8) || t.Is("KILL"u8) || t.Is("PURGE"u8) || t.Is("RESET"u8) || t.Is("CHANGE"u8) || t.Is("STOP"u8) ||
            t.Is("INSTALL"u8) || t.Is("UNINSTALL"u8) || t.Is("SIGNAL"u8) || t.Is("RESIGNAL"u8) || t.Is("BINLOG"u8) ||
            t.Is("CACHE"u8) || t.Is("SHUTDOWN"u8) || t.Is("BACKUP"u8))
        {
            return ScanBody(ref t, StatementTraits.Write, isSelect: false);
        }

        return ScanBody(ref t, StatementTraits.Write | StatementTraits.Unknown, isSelect: false);
    }

    /// <summary>WITH ... : a read unless its main statement (or a CTE) modifies data.</summary>
    private static StatementTraits ScanWith(ref SqlTokenizer t)
    {
        StatementTraits traits = StatementTraits.Read;
        int depth = 0;
        while (t.Next() && !(t.Kind == SqlTokenKind.Semicolon && depth == 0))
        {
            if (t.IsPunctuation((byte)'('))
            {
                depth++;
            }
            else if (t.IsPunctuation((byte)')'))
            {
                depth--;
            }
            else if (t.Is("UPDATE"u8) || t.Is("DELETE"u8) || t.Is("INSERT"u8) || t.Is("REPLACE"u8))
            {
                traits = (traits & ~StatementTraits.Read) | StatementTraits.Write;
            }
            else
            {
                traits = Inspect(ref t, traits, isSelect: true);
            }
        }

        return traits;
    }

    /// <summary>SET ...: session variables, user variables, NAMES, TRANSACTION, GLOBAL.</summary>
    private static StatementTraits ScanSet(ref SqlTokenizer t)
    {
        StatementTraits traits = StatementTraits.SessionState;
        bool expectTarget = true;
        int depth = 0;
        bool first = true;
        while (t.Next() && !(t.Kind == SqlTokenKind.Semicolon && depth == 0))
        {
            if (t.IsPunctuation((byte)'('))
            {
                depth++;
                continue;
            }

            if (t.IsPunctuation((byte)')'))
            {
                depth--;
                continue;
            }

            if (depth == 0 && t.IsPunctuation((byte)','))
            {
                expectTarget = true;
                continue;
            }

            if (!expectTarget)
            {
                traits = Inspect(ref t, traits, isSelect: false);
                continue;
            }

            expectTarget = false;
            if (first && t.Is("TRANSACTION"u8))
            {
                traits |= StatementTraits.SetNextTransaction;
            }
            else if (first && (t.Is("PASSWORD"u8) || t.Is("ROLE"u8) || t.Is("DEFAULT"u8) || t.Is("STATEMENT"u8)))
            {
                traits = (traits & ~StatementTraits.SessionState) | StatementTraits.Write;
                if (t.Is("STATEMENT"u8))
                {
                    // SET STATEMENT var=... FOR stmt: the statement decides; its variables are not kept.
                    while (t.Next() && !t.Is("FOR"u8))
                    {
                    }

                    t.Next();
                    return ClassifyOne(ref t) | StatementTraits.StatementScopedVariables;
                }
            }
            else if (t.Is("GLOBAL"u8) || (t.Kind == SqlTokenKind.SystemVariable && StartsWithUpper(t.Token, "@@GLOBAL."u8)))
            {
                traits |= StatementTraits.Write;
            }
            else if (t.Is("NAMES"u8) || t.Is("CHARACTER"u8) || t.Is("CHARSET"u8))
            {
                traits |= StatementTraits.SetNames | StatementTraits.SetSystemVariable;
            }
            else if (t.Kind == SqlTokenKind.UserVariable)
            {
                traits |= StatementTraits.UserVariable;
            }
            else if (t.Is("SESSION"u8) || t.Is("LOCAL"u8))
            {
                t.Next();
                traits = SetVariable(ref t, traits, sessionTransaction: true);
            }
            else
            {
                traits = SetVariable(ref t, traits, sessionTransaction: false);
            }

            first = false;
        }

        return traits;
    }

    private static StatementTraits SetVariable(ref SqlTokenizer t, StatementTraits traits, bool sessionTransaction)
    {
        if (t.Is("TRANSACTION"u8))
        {
            // SET SESSION TRANSACTION ... is a session variable (tx_isolation / tx_read_only).
            return traits | (sessionTransaction ? StatementTraits.SetSystemVariable : StatementTraits.SetNextTransaction);
        }

        ReadOnlySpan<byte> name = t.Token;
        if (t.Kind == SqlTokenKind.SystemVariable)
        {
            name = name[2..];
            if (StartsWithUpper(name, "SESSION."u8))
            {
                name = name[8..];
            }
            else if (StartsWithUpper(name, "LOCAL."u8))
            {
                name = name[6..];
            }
        }

        if (StartsWithUpper(name, "SESSION_TRACK"u8) || SqlTokenizer.EqualsUpper(name, "SQL_LOG_BIN"u8) ||
            SqlTokenizer.EqualsUpper(name, "PSEUDO_THREAD_ID"u8) || SqlTokenizer.EqualsUpper(name, "GTID_SEQ_NO"u8) ||
            SqlTokenizer.EqualsUpper(name, "SERVER_ID"u8) || SqlTokenizer.EqualsUpper(name, "GTID_DOMAIN_ID"u8))
        {
            return traits | StatementTraits.UnreplayableVariable;
        }

        return traits | StatementTraits.SetSystemVariable;
    }

    /// <summary>Scans to the end of the statement looking at every token.</summary>
    private static StatementTraits ScanBody(ref SqlTokenizer t, StatementTraits traits, bool isSelect)
    {
        traits = Inspect(ref t, traits, isSelect);
        int depth = t.IsPunctuation((byte)'(') ? 1 : 0;
        while (t.Next())
        {
            // One switch per token; only words and variables can change the traits.
            switch (t.Kind)
            {
                case SqlTokenKind.Semicolon when depth == 0:
                    return traits;
                case SqlTokenKind.Punctuation:
                    if (t.IsPunctuation((byte)'('))
                    {
                        depth++;
                    }
                    else if (t.IsPunctuation((byte)')'))
                    {
                        depth--;
                    }

                    break;
                case SqlTokenKind.Word:
                case SqlTokenKind.UserVariable:
                case SqlTokenKind.SystemVariable:
                    traits = Inspect(ref t, traits, isSelect);
                    break;
            }
        }

        return traits;
    }

    /// <summary>Looks at one token of a statement's body.</summary>
    private static StatementTraits Inspect(ref SqlTokenizer t, StatementTraits traits, bool isSelect)
    {
        switch (t.Kind)
        {
            case SqlTokenKind.UserVariable when t.FollowsQuote:
                // 'app'@'%' names an account, not a variable.
                return traits;

            case SqlTokenKind.UserVariable:
                // User variables live on one connection, which the session then keeps: that must be the primary,
                // or every later write of the session would land on a read-only replica.
                return ToPrimary(traits) | StatementTraits.UserVariable;

            case SqlTokenKind.SystemVariable:
                ReadOnlySpan<byte> name = t.Token;
                return EndsWithUpper(name, "WARNING_COUNT"u8) || EndsWithUpper(name, "ERROR_COUNT"u8) ||
                    EndsWithUpper(name, "IDENTITY"u8) || EndsWithUpper(name, "LAST_INSERT_ID"u8)
                    ? ToPrimary(traits) | StatementTraits.ReadsPreviousResult
                    : traits;

            case SqlTokenKind.Word:
                break;

            default:
                return traits;
        }

        // Only a few words matter: look the word up first (by length, then first letter), and find out whether it
        // is a function call only for those; every other word (column and table names, most keywords) costs a
        // length switch.
        Word word = Lookup(t.Token);
        if (word == Word.None)
        {
            return traits;
        }

        // Function calls: a word directly followed by '('.
        ReadOnlySpan<byte> rest = t.Rest;
        int next = rest.Length > 0 && rest[0] == (byte)'(' ? 0 : Sessions.SqlText.SkipSpaceAndComments(rest, 0);
        bool call = next < rest.Length && rest[next] == (byte)'(';
        if (call)
        {
            return word switch
            {
                Word.GetLock => ToPrimary(traits) | StatementTraits.GetLock,
                Word.ReleaseLock => ToPrimary(traits) | StatementTraits.ReleaseLock,
                Word.ReleaseAllLocks => ToPrimary(traits) | StatementTraits.ReleaseAllLocks,
                Word.SideEffectFunction => ToPrimary(traits) | StatementTraits.SideEffect,
                Word.PreviousResultFunction => ToPrimary(traits) | StatementTraits.ReadsPreviousResult,
                Word.ConnectionId => traits | StatementTraits.ConnectionId,
                _ => traits,
            };
        }

        if (isSelect)
        {
            return word switch
            {
                Word.CalcFoundRows => ToPrimary(traits) | StatementTraits.CalcFoundRows,
                // FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE.
                Word.LockingKeyword => ToPrimary(traits) | StatementTraits.LockingRead,
                // SELECT ... INTO @v / OUTFILE / DUMPFILE; NEXT VALUE FOR seq / PREVIOUS VALUE FOR seq.
                Word.SideEffectKeyword => ToPrimary(traits) | StatementTraits.SideEffect,
                _ => traits,
            };
        }

        return traits;
    }

    /// <summary>The words <see cref="Inspect"/> acts on.</summary>
    private enum Word : byte
    {
        None,
        GetLock,
        ReleaseLock,
        ReleaseAllLocks,

        /// <summary>IS_FREE_LOCK, IS_USED_LOCK, NEXTVAL, LASTVAL, SETVAL, MASTER_POS_WAIT, MASTER_GTID_WAIT, SOURCE_POS_WAIT, WAIT_FOR_EXECUTED_GTID_SET, UUID_SHORT.</summary>
        SideEffectFunction,

        /// <summary>LAST_INSERT_ID, FOUND_ROWS, ROW_COUNT.</summary>
        PreviousResultFunction,
        ConnectionId,

        /// <summary>SQL_CALC_FOUND_ROWS (in a SELECT).</summary>
        CalcFoundRows,

        /// <summary>UPDATE, SHARE, LOCK (in a SELECT).</summary>
        LockingKeyword,

        /// <summary>INTO, NEXT, PREVIOUS (in a SELECT).</summary>
        SideEffectKeyword,
    }

    private static Word Lookup(ReadOnlySpan<byte> w)
    {
        if (w.Length < 4)
        {
            return Word.None;
        }

        // Upper-case ASCII letter of the first byte (anything else cannot match).
        int first = w[0] & ~0x20;
        switch (w.Length)
        {
            case 4:
                return first switch
                {
                    'L' when SqlTokenizer.EqualsUpper(w, "LOCK"u8) => Word.LockingKeyword,
                    'I' when SqlTokenizer.EqualsUpper(w, "INTO"u8) => Word.SideEffectKeyword,
                    'N' when SqlTokenizer.EqualsUpper(w, "NEXT"u8) => Word.SideEffectKeyword,
                    _ => Word.None,
                };
            case 5:
                return first == 'S' && SqlTokenizer.EqualsUpper(w, "SHARE"u8) ? Word.LockingKeyword : Word.None;
            case 6:
                return first switch
                {
                    'U' when SqlTokenizer.EqualsUpper(w, "UPDATE"u8) => Word.LockingKeyword,
                    'S' when SqlTokenizer.EqualsUpper(w, "SETVAL"u8) => Word.SideEffectFunction,
                    _ => Word.None,
                };
            case 7:
                return first switch
                {
                    'N' when SqlTokenizer.EqualsUpper(w, "NEXTVAL"u8) => Word.SideEffectFunction,
                    'L' when SqlTokenizer.EqualsUpper(w, "LASTVAL"u8) => Word.SideEffectFunction,
                    _ => Word.None,
                };
            case 8:
                return first switch
                {
                    'G' when SqlTokenizer.EqualsUpper(w, "GET_LOCK"u8) => Word.GetLock,
                    'P' when SqlTokenizer.EqualsUpper(w, "PREVIOUS"u8) => Word.SideEffectKeyword,
                    _ => Word.None,
                };
            case 9:
                return first == 'R' && SqlTokenizer.EqualsUpper(w, "ROW_COUNT"u8) ? Word.PreviousResultFunction : Word.None;
            case 10:
                return first switch
                {
                    'U' when SqlTokenizer.EqualsUpper(w, "UUID_SHORT"u8) => Word.SideEffectFunction,
                    'F' when SqlTokenizer.EqualsUpper(w, "FOUND_ROWS"u8) => Word.PreviousResultFunction,
                    _ => Word.None,
                };
            case 12:
                return first switch
                {
                    'R' when SqlTokenizer.EqualsUpper(w, "RELEASE_LOCK"u8) => Word.ReleaseLock,
                    'I' when SqlTokenizer.EqualsUpper(w, "IS_FREE_LOCK"u8) || SqlTokenizer.EqualsUpper(w, "IS_USED_LOCK"u8) => Word.SideEffectFunction,
                    _ => Word.None,
                };
            case 13:
                return first == 'C' && SqlTokenizer.EqualsUpper(w, "CONNECTION_ID"u8) ? Word.ConnectionId : Word.None;
            case 14:
                return first == 'L' && SqlTokenizer.EqualsUpper(w, "LAST_INSERT_ID"u8) ? Word.PreviousResultFunction : Word.None;
            case 15:
                return first switch
                {
                    'M' when SqlTokenizer.EqualsUpper(w, "MASTER_POS_WAIT"u8) => Word.SideEffectFunction,
                    'S' when SqlTokenizer.EqualsUpper(w, "SOURCE_POS_WAIT"u8) => Word.SideEffectFunction,
                    _ => Word.None,
                };
            case 16:
                return first == 'M' && SqlTokenizer.EqualsUpper(w, "MASTER_GTID_WAIT"u8) ? Word.SideEffectFunction : Word.None;
            case 17:
                return first == 'R' && SqlTokenizer.EqualsUpper(w, "RELEASE_ALL_LOCKS"u8) ? Word.ReleaseAllLocks : Word.None;
            case 19:
                return first == 'S' && SqlTokenizer.EqualsUpper(w, "SQL_CALC_FOUND_ROWS"u8) ? Word.CalcFoundRows : Word.None;
            case 26:
                return first == 'W' && SqlTokenizer.EqualsUpper(w, "WAIT_FOR_EXECUTED_GTID_SET"u8) ? Word.SideEffectFunction : Word.None;
            default:
                return Word.None;
        }
    }

    private static StatementTraits ToPrimary(StatementTraits traits) => (traits & ~StatementTraits.Read) | StatementTraits.Write;

    private static bool EndsWithUpper(ReadOnlySpan<byte> s, ReadOnlySpan<byte> upper) =>
        s.Length >= upper.Length && SqlTokenizer.EqualsUpper(s[^upper.Length..], upper);

    private static bool StartsWithUpper(ReadOnlySpan<byte> s, ReadOnlySpan<byte> upper) =>
        s.Length >= upper.Length && SqlTokenizer.EqualsUpper(s[..upper.Length], upper);
}
