using System.Text;
using MySqlProxy.Core.Routing;

namespace MySqlProxy.Core.Tests.Routing;

/// <summary>Where a statement may run, as the session decides it from the classifier's traits.</summary>
public enum Route
{
    /// <summary>A read with no side effect: a replica may take it.</summary>
    Replica,

    /// <summary>Everything else: the primary.</summary>
    Primary,
}

/// <summary>
/// The classifier, table-driven: each row is a statement, where it may run, and the traits it must
/// (<c>Name</c>) or must not (<c>!Name</c>) carry. Rows marked <c>BUG</c> are skipped and describe the
/// misclassification and the fix.
/// </summary>
public sealed class StatementClassifierTests
{
    private const Route R = Route.Replica;
    private const Route P = Route.Primary;

    public static IEnumerable<TheoryDataRow<string, Route, string>> Statements =>
    [
        // Plain reads.
        Row("SELECT 1", R, "Read,!Write,!MultiStatement"),
        Row("select 1", R, "Read"),
        Row("Select * From t Where id = 1", R, "Read"),
        Row("SELECT * FROM t WHERE id = ?", R, "Read"),
        Row("SELECT @@server_id", R, "Read,!UserVariable"),
        Row("SELECT @@session.sql_mode, @@version", R, "Read"),
        Row("SELECT a, b FROM t ORDER BY a DESC LIMIT 10 OFFSET 5", R, "Read"),
        Row("SELECT COUNT(*) FROM t GROUP BY a HAVING COUNT(*) > 1", R, "Read"),
        Row("SELECT NOW(), UUID(), RAND(), SLEEP(0)", R, "Read"),
        Row("SELECT SQL_NO_CACHE * FROM t", R, "Read"),
        Row("SELECT HIGH_PRIORITY STRAIGHT_JOIN * FROM t JOIN u ON t.id = u.id", R, "Read"),
        Row("SELECT DISTINCT a FROM t", R, "Read"),
        Row("SELECT * FROM information_schema.tables WHERE table_schema = 'app'", R, "Read"),
        Row("SELECT t.* FROM app.t AS t LEFT JOIN app.u AS u USING (id)", R, "Read"),
        Row("SELECT CURRENT_USER(), DATABASE(), VERSION()", R, "Read"),
        Row("SELECT CONNECTION_ID()", R, "Read,ConnectionId"),
        Row("SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2024-01-01 00:00:00'", R, "Read,!LockingRead"),
        Row("SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (n FOR ORDINALITY)) AS j", R, "Read,!LockingRead"),
        Row("SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY c) FROM t", R, "Read"),
        Row("SELECT update_count, share_id, lockout, into_x, next_id FROM updates", R, "Read"),
        Row("SELECT 1update FROM t", R, "Read"),
        Row("TABLE t", R, "Read"),
        Row("TABLE t ORDER BY a LIMIT 1", R, "Read"),
        Row("VALUES (1, 2), (3, 4)", R, "Read"),
        Row("SELECT X'4142', b'01', 0x1F, 1e10, .5, -3", R, "Read"),
        Row("SELECT N'update', _utf8mb4'delete'", R, "Read"),

        // Leading white space and comments.
        Row("   \n\t SELECT 1", R, "Read"),
        Row("/* c */ SELECT 1", R, "Read"),
        Row("/* c */ /* d */SELECT 1", R, "Read"),
        Row("-- c\nSELECT 1", R, "Read"),
        Row("# c\nSELECT 1", R, "Read"),
        Row("/* UPDATE t SET a = 1 */ SELECT 1", R, "Read"),
        Row("/* it's a comment */ SELECT 1", R, "Read"),
        Row("SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t", R, "Read"),
        Row("SELECT 1 -- DELETE FROM t", R, "Read"),
        Row("SELECT 1 --\nFROM DUAL", R, "Read"),
        Row("SELECT 1 /* unterminated FOR UPDATE", R, "Read,!LockingRead"),
        Row("SELECT 1 --1", R, "Read"),
        Row("/* c */ INSERT INTO t VALUES (1)", P, "Write"),
        Row("-- c\n  DELETE FROM t", P, "Write"),

        // FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE: locking reads.
        Row("SELECT * FROM t WHERE id = 1 FOR UPDATE", P, "LockingRead,Write,!Read"),
        Row("select * from t for update", P, "LockingRead"),
        Row("SELECT * FROM t FOR UPDATE NOWAIT", P, "LockingRead"),
        Row("SELECT * FROM t FOR UPDATE SKIP LOCKED", P, "LockingRead"),
        Row("SELECT * FROM t FOR UPDATE WAIT 5", P, "LockingRead"),
        Row("SELECT * FROM t FOR SHARE", P, "LockingRead"),
        Row("SELECT * FROM t LOCK IN SHARE MODE", P, "LockingRead"),
        Row("SELECT * FROM t\nFOR\n  UPDATE", P, "LockingRead"),
        Row("SELECT * FROM t /* x */ FOR /* y */ UPDATE", P, "LockingRead"),
        Row("SELECT 1 UNION SELECT 2 FOR UPDATE", P, "LockingRead"),
        Row("(SELECT 1) UNION (SELECT a FROM t FOR UPDATE)", P, "LockingRead"),
        Row("SELECT * FROM t WHERE a IN (SELECT a FROM u FOR UPDATE)", P, "LockingRead"),
        Row("SELECT @@server_id FOR UPDATE", P, "LockingRead"),
        Row("SELECT 1 /*!50000 FOR UPDATE */", P, "LockingRead"),
        Row("SELECT 1 # it's a comment\nFOR UPDATE", P, "LockingRead"),
        Row("SELECT '#' FROM t FOR UPDATE", P, "LockingRead"),
        Row("SELECT '--' FROM t FOR UPDATE", P, "LockingRead"),
        Row("SELECT '/*' FROM t FOR UPDATE", P, "LockingRead"),
        Row("SELECT 'x\\'' FROM t FOR UPDATE", P, "LockingRead"),
        Row("SELECT 'a\\\\' FROM t FOR UPDATE", P, "LockingRead"),
        Row("SELECT 'it''s' FROM t FOR SHARE", P, "LockingRead"),

        // The same words where they are not code.
        Row("SELECT 1 /* FOR UPDATE */", R, "Read,!LockingRead"),
        Row("SELECT 1 -- FOR UPDATE", R, "Read,!LockingRead"),
        Row("SELECT 1 # FOR UPDATE", R, "Read,!LockingRead"),
        Row("SELECT 'FOR UPDATE'", R, "Read,!LockingRead"),
        Row("SELECT \"FOR UPDATE\"", R, "Read,!LockingRead"),
        Row("SELECT * FROM t WHERE note = 'LOCK IN SHARE MODE'", R, "Read,!LockingRead"),
        Row("SELECT 'it\\'s FOR UPDATE'", R, "Read,!LockingRead"),
        Row("SELECT 'it''s FOR UPDATE'", R, "Read,!LockingRead"),
        Row("SELECT \"say \\\"UPDATE\\\" now\"", R, "Read,!LockingRead"),
        Row("SELECT \"say \"\"UPDATE\"\" now\"", R, "Read,!LockingRead"),
        Row("SELECT 'a\\\\', 'UPDATE'", R, "Read,!LockingRead"),
        Row("SELECT 'DELETE FROM t; UPDATE t SET a = 1'", R, "Read,!MultiStatement"),
        Row("SELECT `update` FROM t", R, "Read,!LockingRead"),
        Row("SELECT `for update` FROM `update`", R, "Read,!LockingRead"),
        Row("SELECT * FROM `my``update` WHERE `lock` = 1", R, "Read,!LockingRead"),
        Row("SELECT `into`, `next` FROM t", R, "Read"),
        Row("SELECT 'GET_LOCK(1)', 'NEXTVAL(s)', 'LAST_INSERT_ID()'", R, "Read"),
        Row("SELECT 1 # GET_LOCK('a', 1)", R, "Read"),
        Row("SELECT LAST_INSERT_ID FROM t", R, "Read,!ReadsPreviousResult"),

        // WITH: a read unless the main statement writes.
        Row("WITH c AS (SELECT 1 AS a) SELECT * FROM c", R, "Read"),
        Row("with c as (select 1 as a) select * from c", R, "Read"),
        Row("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT * FROM c", R, "Read"),
        Row("WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b", R, "Read"),
        Row("WITH c AS (SELECT 'UPDATE' AS a) SELECT * FROM c", R, "Read"),
        Row("WITH c AS (SELECT id FROM t) UPDATE t JOIN c USING (id) SET a = 1", P, "Write,!Read"),
        Row("WITH c AS (SELECT id FROM t) DELETE t FROM t JOIN c USING (id)", P, "Write,!Read"),
        Row("WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c", P, "Write"),
        Row("WITH c AS (SELECT 1) SELECT * FROM c FOR UPDATE", P, "Write"),
        Row("WITH c AS (SELECT 1) SELECT * FROM c LOCK IN SHARE MODE", P, "LockingRead"),
        Row("WITH c AS (SELECT 1) SELECT * FROM c INTO @v", P, "SideEffect,UserVariable"),
        Row("WITH c AS (SELECT NEXTVAL(s)) SELECT * FROM c", P, "SideEffect"),

        // UNION, INTERSECT, EXCEPT, parentheses, subqueries.
        Row("SELECT 1 UNION SELECT 2", R, "Read"),
        Row("SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1", R, "Read"),
        Row("(SELECT 1) UNION (SELECT 2)", R, "Read"),
        Row("((SELECT 1)) UNION ((SELECT 2))", R, "Read"),
        Row("(SELECT a FROM t ORDER BY a LIMIT 1)", R, "Read"),
        Row("SELECT 1 INTERSECT SELECT 1", R, "Read"),
        Row("SELECT 1 EXCEPT SELECT 2", R, "Read"),
        Row("SELECT * FROM (SELECT 1 AS a) AS d", R, "Read"),
        Row("SELECT (SELECT MAX(a) FROM t) AS m", R, "Read"),
        Row("SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)", R, "Read"),
        Row("SELECT * FROM t WHERE a IN (SELECT a FROM u WHERE b = 'x')", R, "Read"),

        // Reads with side effects or that read the previous statement's results.
        Row("SELECT GET_LOCK('a', 10)", P, "GetLock,Write,!Read"),
        Row("select get_lock('a', 10)", P, "GetLock"),
        Row("SELECT RELEASE_LOCK('a')", P, "ReleaseLock"),
        Row("SELECT RELEASE_ALL_LOCKS()", P, "ReleaseAllLocks"),
        Row("SELECT IS_FREE_LOCK('a'), IS_USED_LOCK('a')", P, "SideEffect"),
        Row("SELECT * FROM t WHERE GET_LOCK('a', 0) = 1", P, "GetLock"),
        Row("SELECT LAST_INSERT_ID()", P, "ReadsPreviousResult,!Read"),
        Row("SELECT last_insert_id()", P, "ReadsPreviousResult"),
        Row("SELECT LAST_INSERT_ID(42)", P, "ReadsPreviousResult"),
        Row("SELECT FOUND_ROWS()", P, "ReadsPreviousResult"),
        Row("SELECT ROW_COUNT()", P, "ReadsPreviousResult"),
        Row("SELECT @@warning_count", P, "ReadsPreviousResult"),
        Row("SELECT @@session.error_count", P, "ReadsPreviousResult"),
        Row("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10", P, "CalcFoundRows,!Read"),
        Row("select sql_calc_found_rows a from t", P, "CalcFoundRows"),
        Row("SELECT NEXTVAL(s)", P, "SideEffect,!Read"),
        Row("SELECT nextval(app.s)", P, "SideEffect"),
        Row("SELECT NEXT VALUE FOR s", P, "SideEffect"),
        Row("select next value for app.s", P, "SideEffect"),
        Row("SELECT PREVIOUS VALUE FOR s", P, "SideEffect"),
        Row("SELECT LASTVAL(s)", P, "SideEffect"),
        Row("SELECT SETVAL(s, 100)", P, "SideEffect"),
        Row("SELECT UUID_SHORT()", P, "SideEffect"),
        Row("SELECT MASTER_GTID_WAIT('0-1-10', 1)", P, "SideEffect"),
        Row("SELECT MASTER_POS_WAIT('bin.000001', 4)", P, "SideEffect"),
        Row("SELECT 1 /*M!100100 , GET_LOCK('x', 1) */", P, "GetLock"),
        Bug("SELECT GET_LOCK ('a', 10)", P, "GetLock",
            "a space between a function name and '(' is legal for GET_LOCK (MariaDB runs 'SELECT GET_LOCK (\\'a\\', 0)'), " +
            "but Inspect only sees a call when Rest[0] == '('; the lock is taken on a replica. Fix: skip white space and comments after the word before looking for '('"),
        Bug("SELECT LAST_INSERT_ID ()", P, "ReadsPreviousResult", "as above: 'LAST_INSERT_ID ()' is legal; look past white space for '('"),
        Bug("SELECT NEXTVAL /* c */ (s)", P, "SideEffect", "as above: a comment between name and '(' is legal; look past trivia for '('"),

        // User variables.
        Row("SET @x = 1", P, "SessionState,UserVariable,!Read"),
        Row("SET @x := 1", P, "UserVariable"),
        Row("SET @a = 1, @b = 'x'", P, "UserVariable"),
        Row("SET @`quoted name` = 1", P, "UserVariable"),
        Row("SET @x = (SELECT COUNT(*) FROM t)", P, "UserVariable"),
        Row("SET @x = LAST_INSERT_ID()", P, "UserVariable,ReadsPreviousResult"),
        Row("SET @x = (SELECT GET_LOCK('a', 0))", P, "UserVariable,GetLock"),
        Row("SELECT a INTO @v FROM t LIMIT 1", P, "SideEffect,UserVariable,!Read"),
        Row("SELECT a FROM t LIMIT 1 INTO @v", P, "SideEffect,UserVariable,!Read"),
        Row("SELECT 1 INTO OUTFILE '/tmp/x.txt'", P, "SideEffect,!Read"),
        Row("SELECT 1 INTO DUMPFILE '/tmp/x.bin'", P, "SideEffect,!Read"),
        Bug("SELECT @x := 1", P, "UserVariable",
            "assigning a user variable is session state, but the statement is Read: it runs on a replica and pins the session there " +
            "(PinCauses.UserVariable), so the session's next INSERT runs on the read-only replica (see RoutingTests). Fix: ToPrimary on any UserVariable token in Inspect"),
        Bug("SELECT @x", P, "UserVariable",
            "reading a user variable pins the session (PinCauses.UserVariable); on a replica the pin sends later writes there. Fix: as above"),
        Bug("SELECT * FROM t WHERE a = @x", P, "UserVariable", "as above"),

        // EXPLAIN, ANALYZE, DESCRIBE, HELP.
        Row("EXPLAIN SELECT * FROM t", R, "Read"),
        Row("explain select 1", R, "Read"),
        Row("EXPLAIN EXTENDED SELECT 1", R, "Read"),
        Row("EXPLAIN PARTITIONS SELECT 1", R, "Read"),
        Row("EXPLAIN FORMAT=JSON SELECT * FROM t", R, "Read"),
        Row("EXPLAIN (SELECT 1) UNION (SELECT 2)", R, "Read"),
        Row("EXPLAIN WITH c AS (SELECT 1) SELECT * FROM c", R, "Read"),
        Row("EXPLAIN t", R, "Read"),
        Row("EXPLAIN UPDATE t SET a = 1", P, "Write,!Read"),
        Row("EXPLAIN DELETE FROM t WHERE a = 1", P, "Write"),
        Row("EXPLAIN INSERT INTO t VALUES (1)", P, "Write"),
        Row("EXPLAIN REPLACE INTO t VALUES (1)", P, "Write"),
        Row("EXPLAIN FORMAT=JSON UPDATE t SET a = 1", P, "Write"),
        Row("EXPLAIN SELECT * FROM t FOR UPDATE", P, "LockingRead"),
        Row("ANALYZE SELECT * FROM t", R, "Read"),
        Row("ANALYZE FORMAT=JSON SELECT * FROM t", R, "Read"),
        Row("ANALYZE UPDATE t SET a = 1", P, "Write"),
        Row("ANALYZE DELETE FROM t", P, "Write"),
        Row("ANALYZE TABLE t", P, "Write"),
        Row("ANALYZE NO_WRITE_TO_BINLOG TABLE t", P, "Write"),
        Row("ANALYZE LOCAL TABLE t", P, "Write"),
        Row("DESCRIBE t", R, "Read"),
        Row("DESC t", R, "Read"),
        Row("describe app.t a", R, "Read"),
        Row("DESC SELECT * FROM t", R, "Read"),
        Row("HELP 'contents'", R, "Read"),
        Bug("DESCRIBE UPDATE t SET a = 1", P, "Write",
            "DESCRIBE/DESC is a synonym of EXPLAIN; EXPLAIN UPDATE goes to the primary but DESC UPDATE is Read, and a read-only replica " +
            "refuses it with ERR 1290 (checked on 13307). Fix: treat DESCRIBE/DESC followed by SELECT/UPDATE/DELETE/INSERT/REPLACE/WITH/( like EXPLAIN"),
        Bug("EXPLAIN ANALYZE UPDATE t SET a = 1", P, "Write",
            "MySQL 8's EXPLAIN ANALYZE executes the statement; the option loop after EXPLAIN does not skip ANALYZE, so the next word is " +
            "taken as a table name (EXPLAIN tbl) and the UPDATE is a Read. Fix: skip ANALYZE in that loop (then UPDATE -> Write, SELECT -> Read)"),

        // SHOW.
        Row("SHOW TABLES", R, "Read"),
        Row("show tables like 'update%'", R, "Read"),
        Row("SHOW TABLES WHERE Tables_in_app = 'x'", R, "Read"),
        Row("SHOW CREATE TABLE t", R, "Read"),
        Row("SHOW CREATE TABLE `update`", R, "Read"),
        Row("SHOW COLUMNS FROM t", R, "Read"),
        Row("SHOW INDEX FROM t", R, "Read"),
        Row("SHOW DATABASES", R, "Read"),
        Row("SHOW TABLE STATUS", R, "Read"),
        Row("SHOW GRANTS FOR CURRENT_USER", R, "Read,!LockingRead"),
        Row("SHOW GRANTS FOR 'app'@'%'", R, "Read"),
        Row("SHOW TABLES LIKE 'for update'", R, "Read"),
        Row("SHOW WARNINGS", P, "ReadsPreviousResult,SessionState"),
        Row("SHOW ERRORS", P, "ReadsPreviousResult"),
        Row("SHOW COUNT(*) WARNINGS", P, "ReadsPreviousResult"),
        Row("SHOW PROCESSLIST", P, "Write"),
        Row("SHOW FULL PROCESSLIST", P, "Write"),
        Row("SHOW MASTER STATUS", P, "Write"),
        Row("SHOW SLAVE STATUS", P, "Write"),
        Row("SHOW REPLICA STATUS", P, "Write"),
        Row("SHOW BINARY LOGS", P, "Write"),
        Row("SHOW BINLOG EVENTS", P, "Write"),
        Row("SHOW VARIABLES LIKE 'sql_mode'", P, "Write"),
        Row("SHOW SESSION VARIABLES", P, "Write"),
        Row("SHOW STATUS", P, "Write"),
        Bug("SHOW FULL TABLES", R, "Read",
            "conservative: FULL is matched to catch SHOW FULL PROCESSLIST but also sends SHOW FULL TABLES/COLUMNS (plain metadata reads) " +
            "to the primary. Fix: look at the word after FULL"),
        Bug("SHOW FULL COLUMNS FROM t", R, "Read", "conservative, as above"),

        // Session state: SET, USE.
        Row("SET autocommit = 0", P, "SessionState,SetSystemVariable,!Write,!Read"),
        Row("set autocommit=1", P, "SetSystemVariable"),
        Row("SET @@autocommit = 0", P, "SetSystemVariable"),
        Row("SET SESSION sql_mode = ''", P, "SetSystemVariable"),
        Row("SET @@session.sql_mode = 'ANSI'", P, "SetSystemVariable"),
        Row("SET LOCAL sql_mode = ''", P, "SetSystemVariable"),
        Row("SET time_zone = '+00:00', @x = 1", P, "SetSystemVariable,UserVariable"),
        Row("SET sql_mode = (SELECT @@sql_mode)", P, "SetSystemVariable"),
        Row("SET NAMES utf8mb4", P, "SetNames,SessionState,!Write"),
        Row("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'", P, "SetNames"),
        Row("set names latin1", P, "SetNames"),
        Row("SET CHARACTER SET utf8mb4", P, "SetNames"),
        Row("SET CHARSET utf8mb4", P, "SetNames"),
        Row("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", P, "SetNextTransaction,SessionState,!Write"),
        Row("SET TRANSACTION READ ONLY", P, "SetNextTransaction,!BeginReadOnlyTransaction"),
        Row("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE", P, "SetSystemVariable,!SetNextTransaction"),
        Row("SET GLOBAL max_connections = 100", P, "Write"),
        Row("SET @@global.max_connections = 100", P, "Write"),
        Row("SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED", P, "Write"),
        Row("SET session_track_gtids = OWN_GTID", P, "UnreplayableVariable"),
        Row("SET @@session.session_track_system_variables = '*'", P, "UnreplayableVariable"),
        Row("SET sql_log_bin = 0", P, "UnreplayableVariable"),
        Row("SET PASSWORD = PASSWORD('x')", P, "Write"),
        Row("SET PASSWORD FOR 'u'@'%' = PASSWORD('x')", P, "Write"),
        Row("SET ROLE NONE", P, "Write"),
        Row("SET DEFAULT ROLE r FOR u", P, "Write"),
        Row("SET STATEMENT max_statement_time = 10 FOR SELECT 1", R, "Read"),
        Row("SET STATEMENT max_statement_time = 10 FOR UPDATE t SET a = 1", P, "Write"),
        Row("SET STATEMENT max_statement_time = 10 FOR SELECT * FROM t FOR UPDATE", P, "LockingRead"),
        Row("USE app", P, "Use,SessionState,!Write,!Read"),
        Row("use `app`", P, "Use"),

        // Transactions.
        Row("BEGIN", P, "BeginTransaction,!BeginReadOnlyTransaction,!Read"),
        Row("begin;", P, "BeginTransaction"),
        Row("BEGIN WORK", P, "BeginTransaction"),
        Row("START TRANSACTION", P, "BeginTransaction,!BeginReadOnlyTransaction"),
        Row("START TRANSACTION READ WRITE", P, "BeginTransaction,!BeginReadOnlyTransaction"),
        Row("START TRANSACTION WITH CONSISTENT SNAPSHOT", P, "BeginTransaction"),
        Row("START TRANSACTION READ ONLY", R, "BeginReadOnlyTransaction,!BeginTransaction"),
        Row("start transaction read only", R, "BeginReadOnlyTransaction"),
        Row("/* c */ START TRANSACTION READ ONLY", R, "BeginReadOnlyTransaction"),
        Row("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", R, "BeginReadOnlyTransaction"),
        Row("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT", R, "BeginReadOnlyTransaction"),
        Row("COMMIT", P, "EndTransaction,!Read"),
        Row("commit work", P, "EndTransaction"),
        Row("COMMIT AND NO CHAIN", P, "EndTransaction"),
        Row("ROLLBACK", P, "EndTransaction"),
        Row("ROLLBACK WORK", P, "EndTransaction"),
        Row("ROLLBACK TO SAVEPOINT sp", P, "!EndTransaction"),
        Row("ROLLBACK TO sp", P, "!EndTransaction"),
        Row("ROLLBACK WORK TO SAVEPOINT sp", P, "!EndTransaction"),
        Row("SAVEPOINT sp", P, "!EndTransaction,!Read"),
        Row("RELEASE SAVEPOINT sp", P, "!EndTransaction,!Read"),
        Row("XA START 'x'", P, "Write"),
        Row("XA BEGIN 'x'", P, "Write"),
        Row("XA END 'x'", P, "Write"),
        Row("XA PREPARE 'x'", P, "Write"),
        Row("XA COMMIT 'x'", P, "Write"),
        Row("XA ROLLBACK 'x'", P, "Write"),
        Row("XA RECOVER", P, "Write"),

        // Locks and handlers.
        Row("LOCK TABLES t READ", P, "LockTables,Write"),
        Row("LOCK TABLE t WRITE, u READ LOCAL", P, "LockTables"),
        Row("lock tables t read", P, "LockTables"),
        Row("UNLOCK TABLES", P, "UnlockTables,Write"),
        Row("FLUSH TABLES WITH READ LOCK", P, "FlushWithReadLock,Write"),
        Row("FLUSH TABLES t WITH READ LOCK", P, "FlushWithReadLock"),
        Row("FLUSH PRIVILEGES", P, "Write,!FlushWithReadLock"),
        Row("HANDLER t OPEN", P, "Write"),
        Row("HANDLER t READ FIRST", P, "Write"),
        Row("HANDLER t READ `PRIMARY` NEXT", P, "Write"),
        Row("HANDLER t CLOSE", P, "Write"),

        // Routines, DO, prepared statements in SQL.
        Row("CALL p()", P, "Call,Write"),
        Row("call p", P, "Call"),
        Row("CALL app.p(1, @out)", P, "Call,UserVariable"),
        Row("DO 1", P, "Write"),
        Row("DO SLEEP(0)", P, "Write"),
        Row("DO GET_LOCK('a', 0)", P, "GetLock"),
        Row("DO RELEASE_LOCK('a')", P, "ReleaseLock"),
        Row("PREPARE s FROM 'SELECT 1'", P, "Prepare,Write"),
        Row("EXECUTE s", P, "Write"),
        Row("EXECUTE s USING @a", P, "UserVariable"),
        Row("DEALLOCATE PREPARE s", P, "Deallocate"),
        Row("DROP PREPARE s", P, "Deallocate,!DropTable"),
        Row("GET DIAGNOSTICS @n = NUMBER", P, "ReadsPreviousResult"),
        Row("GET DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT", P, "ReadsPreviousResult"),
        Row("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'x'", P, "Write"),
        Row("BEGIN NOT ATOMIC SELECT 1; END", P, "Write,!BeginTransaction"),

        // Executable comments.
        Row("/*!50100 SELECT 1 */", R, "Read"),
        Row("/*! SELECT 1 */", R, "Read"),
        Row("/*!SELECT 1*/", R, "Read"),
        Row("/*M!100100 SELECT 1 */", R, "Read"),
        Row("/*!50100 UPDATE t SET a = 1 */", P, "Write"),
        Row("/*M!100100 DELETE FROM t */", P, "Write"),
        Row("/*M! DELETE FROM t */", P, "Write"),
        Row("SELECT 1; /*M!100100 DELETE FROM t */", P, "Write,MultiStatement"),
        Row("SELECT 1 /*M!100100 ; DELETE FROM t */", P, "Write,MultiStatement"),
        Row("/*!40101 SET NAMES utf8 */", P, "SetNames"),
        Row("/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */", P, "UserVariable,SetSystemVariable"),
        Row("/*!40000 ALTER TABLE t DISABLE KEYS */", P, "Write"),
        Row("SELECT /*!50000 'x' */ FROM t", R, "Read"),
        Row("SELECT /*!50000 SQL_CALC_FOUND_ROWS */ * FROM t", P, "CalcFoundRows"),

        // Writes and DDL.
        Row("INSERT INTO t VALUES (1)", P, "Write,!Read"),
        Row("insert into t (a) values (1), (2)", P, "Write"),
        Row("INSERT IGNORE INTO t VALUES (1)", P, "Write"),
        Row("INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 2", P, "Write"),
        Row("INSERT INTO t SELECT * FROM u", P, "Write,!Read"),
        Row("INSERT INTO t (a) SELECT a FROM u WHERE b = 'SELECT'", P, "Write"),
        Row("INSERT INTO t VALUES (1) RETURNING id", P, "Write"),
        Row("INSERT INTO t VALUES (NEXT VALUE FOR s)", P, "Write"),
        Row("INSERT INTO t VALUES ('it''s', 'a\\'b')", P, "Write"),
        Row("UPDATE t SET a = 1 WHERE id = 2", P, "Write"),
        Row("update t set a = 'SELECT' order by id limit 1", P, "Write"),
        Row("UPDATE t JOIN u USING (id) SET t.a = u.a", P, "Write"),
        Row("UPDATE t SET a = (SELECT MAX(b) FROM u)", P, "Write"),
        Row("DELETE FROM t WHERE id = 1", P, "Write"),
        Row("DELETE t FROM t JOIN u USING (id)", P, "Write"),
        Row("DELETE FROM t WHERE id IN (SELECT id FROM u)", P, "Write"),
        Row("DELETE FROM t RETURNING id", P, "Write"),
        Row("REPLACE INTO t VALUES (1)", P, "Write"),
        Row("REPLACE t SELECT * FROM u", P, "Write"),
        Row("LOAD DATA INFILE '/tmp/x' INTO TABLE t", P, "Write"),
        Row("LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE t FIELDS TERMINATED BY ','", P, "Write"),
        Row("LOAD XML LOCAL INFILE 'x.xml' INTO TABLE t", P, "Write"),
        Row("TRUNCATE t", P, "Write"),
        Row("TRUNCATE TABLE t", P, "Write"),
        Row("ALTER TABLE t ADD COLUMN b INT", P, "Write"),
        Row("ALTER DATABASE app CHARACTER SET utf8mb4", P, "Write"),
        Row("ALTER USER app IDENTIFIED BY 'x'", P, "Write"),
        Row("ALTER SEQUENCE s RESTART 1", P, "Write"),
        Row("CREATE TABLE t (a INT)", P, "Write,!CreateTemporaryTable"),
        Row("CREATE TABLE t2 AS SELECT * FROM t", P, "Write,!CreateTemporaryTable"),
        Row("CREATE OR REPLACE TABLE t (a INT)", P, "Write,!CreateTemporaryTable"),
        Row("CREATE TEMPORARY TABLE tmp (a INT)", P, "CreateTemporaryTable,Write"),
        Row("create temporary table tmp like t", P, "CreateTemporaryTable"),
        Row("CREATE TEMPORARY TABLE IF NOT EXISTS tmp AS SELECT * FROM t", P, "CreateTemporaryTable"),
        Row("CREATE OR REPLACE TEMPORARY TABLE tmp (a INT)", P, "CreateTemporaryTable"),
        Row("CREATE INDEX i ON t (a)", P, "Write"),
        Row("CREATE VIEW v AS SELECT * FROM t", P, "Write"),
        Row("CREATE SEQUENCE s", P, "Write"),
        Row("CREATE DATABASE d", P, "Write"),
        Row("CREATE USER 'u'@'%' IDENTIFIED BY 'p'", P, "Write"),
        Row("CREATE PROCEDURE p() SELECT 1", P, "Write"),
        Row("CREATE FUNCTION f() RETURNS INT RETURN 1", P, "Write"),
        Row("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", P, "Write"),
        Row("DROP TABLE t", P, "Write,DropTable"),
        Row("DROP TABLE IF EXISTS t, u", P, "DropTable"),
        Row("DROP TEMPORARY TABLE tmp", P, "DropTable"),
        Row("DROP VIEW v", P, "Write,!DropTable"),
        Row("DROP DATABASE d", P, "Write,!DropTable"),
        Row("DROP SEQUENCE s", P, "Write"),
        Row("DROP INDEX i ON t", P, "Write"),
        Row("RENAME TABLE t TO u", P, "Write"),
        Row("GRANT SELECT ON app.* TO 'u'@'%'", P, "Write"),
        Row("REVOKE ALL ON *.* FROM 'u'@'%'", P, "Write"),
        Row("KILL 5", P, "Write"),
        Row("KILL QUERY 5", P, "Write"),
        Row("OPTIMIZE TABLE t", P, "Write"),
        Row("REPAIR TABLE t", P, "Write"),
        Row("CHECK TABLE t", P, "Write"),
        Row("PURGE BINARY LOGS TO 'bin.000002'", P, "Write"),
        Row("RESET QUERY CACHE", P, "Write"),
        Row("CHANGE MASTER TO MASTER_HOST = 'x'", P, "Write"),
        Row("START SLAVE", P, "Write,!BeginTransaction"),
        Row("STOP SLAVE SQL_THREAD", P, "Write"),
        Row("INSTALL SONAME 'ha_x'", P, "Write"),
        Row("BACKUP STAGE START", P, "Write"),
        Row("CACHE INDEX t IN hot", P, "Write"),
        Row("LOAD INDEX INTO CACHE t", P, "Write"),
        Row("SHUTDOWN", P, "Write"),
        Row("FROBNICATE THE DATABASE", P, "Unknown,Write"),
        Row("label: LOOP SELECT 1; END LOOP", P, "Write"),
        Row("!", P, "Unknown,Write"),

        // Multi-statements: a read only if every statement is.
        Row("SELECT 1; SELECT 2", R, "Read,MultiStatement"),
        Row("SELECT 1; SELECT 2;", R, "Read,MultiStatement"),
        Row("SELECT 1;;SELECT 2", R, "Read,MultiStatement"),
        Row("SELECT 1; SHOW TABLES; DESCRIBE t", R, "Read,MultiStatement"),
        Row("SELECT ';'; SELECT 2", R, "Read,MultiStatement"),
        Row("SELECT 1;", R, "Read,!MultiStatement"),
        Row("SELECT 1; -- trailing comment", R, "Read,!MultiStatement"),
        Row("SELECT 1 /* ; UPDATE t SET a = 1 */", R, "Read,!MultiStatement"),
        Row("SELECT 1 -- ; DELETE FROM t", R, "Read,!MultiStatement"),
        Row("SELECT 1; INSERT INTO t VALUES (1)", P, "Write,MultiStatement,!Read"),
        Row("INSERT INTO t VALUES (1); SELECT 1", P, "Write,MultiStatement,!Read"),
        Row("SELECT 1; SELECT 2 FOR UPDATE", P, "LockingRead,MultiStatement,!Read"),
        Row("SELECT 1; SET @x = 1", P, "UserVariable,MultiStatement,!Read"),
        Row("SELECT 1; BEGIN", P, "BeginTransaction,!Read"),
        Row("BEGIN; SELECT 1; COMMIT", P, "BeginTransaction,EndTransaction,!Read"),
        Row("SELECT 1; SELECT LAST_INSERT_ID()", P, "ReadsPreviousResult,!Read"),
        Row("WITH c AS (SELECT 1) SELECT * FROM c; DELETE FROM t", P, "Write,MultiStatement"),
        Row("SET STATEMENT max_statement_time = 1 FOR SELECT 1; DELETE FROM t", P, "Write,MultiStatement"),
        Bug("(SELECT 1); DELETE FROM t", P, "Write,MultiStatement",
            "ScanBody does not count the '(' it starts on, so depth is -1 after the first ')', the ';' is not seen as the end, and the " +
            "DELETE is scanned as part of a Read. The whole text runs on a replica (see RoutingTests). Fix: in ScanBody start with depth = 1 when the current token is '('"),
        Bug("(SELECT 1) UNION (SELECT 2); INSERT INTO t VALUES (1)", P, "Write,MultiStatement", "as above"),
        Bug("EXPLAIN (SELECT 1); UPDATE t SET a = 1", P, "Write,MultiStatement", "as above: the EXPLAIN branch calls ScanBody on '('"),
        Bug("(SELECT 1) UNION (SELECT 2); SELECT 3", R, "Read,MultiStatement", "as above: the route is right by luck, the second statement is swallowed (no MultiStatement)"),

        // Nothing to run.
        Row("", P, "!Read,!Write"),
        Row("   ", P, "!Read,!Write"),
        Row("/* only a comment */", P, "!Read,!Write"),
        Row("-- only a comment", P, "!Read,!Write"),
        Row(";", P, "!Read,!Write"),
    ];

    [Theory]
    [MemberData(nameof(Statements))]
    public void Classify_Statement_RouteAndTraits(string sql, Route route, string traits)
    {
        StatementTraits actual = StatementClassifier.Classify(Encoding.UTF8.GetBytes(sql));

        Assert.True(RouteOf(actual) == route, $"expected {route}, got {RouteOf(actual)} ({actual})");
        foreach (string name in traits.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool absent = name.StartsWith('!');
            StatementTraits flag = Enum.Parse<StatementTraits>(absent ? name[1..] : name);
            Assert.True(((actual & flag) != 0) != absent, $"expected {(absent ? "no " : string.Empty)}{flag} in {actual}");
        }

        // Invariants of every classification.
        Assert.False((actual & StatementTraits.Read) != 0 && (actual & StatementTraits.Write) != 0, $"both Read and Write: {actual}");
        Assert.False((actual & StatementTraits.Unknown) != 0 && (actual & StatementTraits.Write) == 0, $"Unknown but not Write: {actual}");
    }

    [Fact]
    public void Statements_Table_HasAtLeast200DistinctRows()
    {
        List<string> sql = [.. Statements.Select(row => row.Data.Item1)];

        Assert.True(sql.Count >= 200, $"{sql.Count} rows");
        Assert.Equal(sql.Count, sql.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Classify_TruncatedAtEveryOffset_DoesNotThrow()
    {
        // Truncated text (a packet cut at InspectLimit) must classify without throwing, whatever the cut.
        byte[] sql = Encoding.UTF8.GetBytes("/*!50100 SELECT 'a\\'b', `x``y`, @`v`, @@session.x */; /*M! UPDATE t SET a = \"q\"\"r\" -- c\n */ # e");
        for (int i = 0; i <= sql.Length; i++)
        {
            _ = StatementClassifier.Classify(sql.AsSpan(0, i));
        }
    }

    [Fact]
    public void Classify_ManyStatements_DoesNotAllocate()
    {
        byte[][] texts = [.. Statements.Select(row => Encoding.UTF8.GetBytes(row.Data.Item1))];
        foreach (byte[] text in texts)
        {
            _ = StatementClassifier.Classify(text);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (byte[] text in texts)
        {
            _ = StatementClassifier.Classify(text);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Where the session sends a COM_QUERY with these traits when nothing pins it (ClientSession.IsRead).</summary>
    private static Route RouteOf(StatementTraits traits) =>
        (traits & (StatementTraits.Read | StatementTraits.BeginReadOnlyTransaction)) != 0 && (traits & StatementTraits.Write) == 0
            ? Route.Replica
            : Route.Primary;

    private static TheoryDataRow<string, Route, string> Row(string sql, Route route, string traits) => new(sql, route, traits);

    private static TheoryDataRow<string, Route, string> Bug(string sql, Route route, string traits, string why) =>
        new(sql, route, traits);
}
