using System.Text.Json;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Clients;

/// <summary>
/// Python's PyMySQL (Debian's python3-pymysql, run by /usr/bin/python3 because the python3 on PATH may be a
/// pyenv one without it) through the proxy: the same script prints the same JSON through the proxy as direct.
/// Without Python or PyMySQL the tests skip, except under CI, where they fail.
/// </summary>
public sealed class PyMySqlTests(ProxyFixture fixture)
{
    private const string Python = "/usr/bin/python3";

    /// <summary>
    /// Connects, creates a table, inserts with parameters, executemany, selects and fetches (buffered and
    /// unbuffered), rolls back, runs a multi-statement, and records the exception class and code of failing
    /// statements. Prints one JSON object. Arguments: port, table name.
    /// </summary>
    private const string Script = """
        import datetime, decimal, json, sys
        import pymysql
        import pymysql.cursors
        from pymysql.constants import CLIENT

        port, table = int(sys.argv[1]), sys.argv[2]
        out = {}

        def connect(**extra):
            return pymysql.connect(host="127.0.0.1", port=port, user="app", password="app", database="app",
                                   charset="utf8mb4", autocommit=False, connect_timeout=10, read_timeout=20, **extra)

        conn = connect()
        try:
            out["server_version"] = conn.get_server_info()
            with conn.cursor() as cur:
                cur.execute("SELECT CONNECTION_ID()")
                out["thread_id_matches"] = cur.fetchone()[0] == conn.thread_id()
                cur.execute(f"DROP TABLE IF EXISTS `{table}`")
                cur.execute(f"CREATE TABLE `{table}` (id INT PRIMARY KEY, name VARCHAR(50) CHARACTER SET utf8mb4, "
                            "amount DECIMAL(10,2), created DATETIME(6), data VARBINARY(100), note TEXT NULL, ratio DOUBLE)")
                out["insert"] = cur.execute(f"INSERT INTO `{table}` VALUES (%s, %s, %s, %s, %s, %s, %s)",
                                            (1, "alpha \u00e4 \U0001F600 it's", decimal.Decimal("12.34"),
                                             datetime.datetime(2024, 1, 2, 3, 4, 5, 678900), b"\x00\x01'\\\xff", None, 0.1))
                out["lastrowid_insert"] = cur.lastrowid
                rows = [(i, f"row {i}", decimal.Decimal(i) / 4, datetime.datetime(2024, 2, 1 + i % 28), bytes([i]) * i,
                         "n" * i if i % 5 else None, i / 3) for i in range(2, 60)]
                out["executemany"] = cur.executemany(
                    f"INSERT INTO `{table}` (id, name, amount, created, data, note, ratio) VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
                conn.commit()

                cur.execute(f"SELECT id, name, amount, created, data, note, ratio FROM `{table}` ORDER BY id")
                out["description"] = [list(d) for d in cur.description]
                out["rowcount"] = cur.rowcount
                out["first"] = repr(cur.fetchone())
                out["many"] = repr(cur.fetchmany(5))
                out["rest"] = repr(cur.fetchall())

                cur.execute("SELECT %s, %s, %s, %s", (None, 1.5, "quote ' and \\ backslash", b"bin"))
                out["params"] = repr(cur.fetchall())

                cur.execute(f"UPDATE `{table}` SET name = 'changed' WHERE id = 1")
                out["update_rowcount"] = cur.rowcount
                conn.rollback()
                cur.execute(f"SELECT name FROM `{table}` WHERE id = %s", (1,))
                out["after_rollback"] = cur.fetchone()[0]

                errors = []
                for sql in [f"INSERT INTO `{table}` (id) VALUES (1)",
                            "SELECT * FROM pymysql_no_such_table",
                            "SELEC 1",
                            f"INSERT INTO `{table}` (id, name) VALUES (1000, REPEAT('x', 100))",
                            "SELECT no_such_column FROM DUAL",
                            "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom', MYSQL_ERRNO = 5002"]:
                    try:
                        cur.execute(sql)
                        errors.append(["no error", sql])
                    except pymysql.err.MySQLError as e:
                        errors.append([type(e).__name__, e.args[0], e.args[1]])
                out["errors"] = errors
                conn.rollback()
                cur.execute("SELECT 'still usable'")
                out["after_errors"] = cur.fetchone()[0]
                conn.ping(reconnect=False)

            with conn.cursor(pymysql.cursors.SSCursor) as ss:
                ss.execute(f"SELECT id, data FROM `{table}` ORDER BY id")
                total = 0
                count = 0
                for row in ss:
                    total += row[0]
                    count += 1
                out["unbuffered"] = [count, total]

            with conn.cursor(pymysql.cursors.DictCursor) as dc:
                dc.execute(f"SELECT id, note FROM `{table}` WHERE id IN (5, 6) ORDER BY id")
                out["dict"] = dc.fetchall()

            conn.select_db("information_schema")
            with conn.cursor() as cur:
                cur.execute("SELECT DATABASE()")
                out["select_db"] = cur.fetchone()[0]
        finally:
            conn.close()

        multi = connect(client_flag=CLIENT.MULTI_STATEMENTS)
        try:
            with multi.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM app.`{table}`; SELECT 'second', NULL; DROP TABLE app.`{table}`")
                sets = [cur.fetchall()]
                while cur.nextset():
                    sets.append(cur.fetchall())
                out["multi"] = repr(sets)
        finally:
            multi.close()

        try:
            pymysql.connect(host="127.0.0.1", port=port, user="app", password="wrong", database="app", connect_timeout=10)
            out["wrong_password"] = "no error"
        except pymysql.err.MySQLError as e:
            out["wrong_password"] = [type(e).__name__, e.args[0], e.args[1].replace(str(port), "PORT")]

        print(json.dumps(out, sort_keys=True, default=str))
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Script_ThroughProxy_PrintsWhatItPrintsDirect()
    {
        await RequirePyMySqlAsync();
        string table = $"py_{Guid.NewGuid():N}"[..19];
        string script = Path.Combine(Path.GetTempPath(), $"{table}.py");
        await File.WriteAllTextAsync(script, Script, Ct);
        try
        {
            ProcessResult proxied = await RunScriptAsync(script, fixture.Proxy.Port, table);
            ProcessResult direct = await RunScriptAsync(script, Topology.Primary.Port, table);

            Assert.True(direct.ExitCode == 0, direct.ToString());
            Assert.True(proxied.ExitCode == 0, proxied.ToString());
            using JsonDocument p = JsonDocument.Parse(proxied.StdOut);
            using JsonDocument d = JsonDocument.Parse(direct.StdOut);
            foreach (JsonProperty property in d.RootElement.EnumerateObject())
            {
                Assert.True(p.RootElement.TryGetProperty(property.Name, out JsonElement mine), $"'{property.Name}' missing through the proxy:\n{proxied.StdOut}");
                Assert.True(property.Value.GetRawText() == mine.GetRawText(), $"'{property.Name}': direct {property.Value.GetRawText()}, through the proxy {mine.GetRawText()}");
            }

            JsonElement root = p.RootElement;
            Assert.True(root.GetProperty("thread_id_matches").GetBoolean());
            Assert.Equal(1, root.GetProperty("insert").GetInt32());
            Assert.Equal(58, root.GetProperty("executemany").GetInt32());
            Assert.Equal("alpha ä 😀 it's", root.GetProperty("after_rollback").GetString());
            Assert.Equal("[59, 1770]", root.GetProperty("unbuffered").GetRawText());
            JsonElement errors = root.GetProperty("errors");
            Assert.Equal("IntegrityError", errors[0][0].GetString());
            Assert.Equal(1062, errors[0][1].GetInt32());
            Assert.Equal("Duplicate entry '1' for key 'PRIMARY'", errors[0][2].GetString());
            Assert.Equal("ProgrammingError", errors[1][0].GetString());
            Assert.Equal(1146, errors[1][1].GetInt32());
            Assert.Equal(1064, errors[2][1].GetInt32());
            Assert.Equal(1406, errors[3][1].GetInt32());
            Assert.Equal(1054, errors[4][1].GetInt32());
            Assert.Equal(5002, errors[5][1].GetInt32());
            Assert.Equal(1045, root.GetProperty("wrong_password")[1].GetInt32());
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static Task<ProcessResult> RunScriptAsync(string script, int port, string table) =>
        ExternalProcess.RunAsync(Python, [script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), table], Ct,
            environment: new Dictionary<string, string> { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONDONTWRITEBYTECODE"] = "1" },
            timeout: TimeSpan.FromSeconds(40));

    /// <summary>Skips when Python or PyMySQL is missing; under CI (CI=true) fails instead, as a missing server does.</summary>
    private static async Task RequirePyMySqlAsync()
    {
        string? problem = null;
        if (!File.Exists(Python))
        {
            problem = $"{Python} is not installed";
        }
        else
        {
            ProcessResult check = await ExternalProcess.RunAsync(Python, ["-c", "import pymysql; print(pymysql.__version__)"], Ct);
            if (check.ExitCode != 0)
            {
                problem = $"PyMySQL is not importable by {Python}: {check.StdErr.Trim().Split('\n')[^1]}";
            }
        }

        if (problem is null)
        {
            return;
        }

        problem += " (apt-get install python3-pymysql; deploy/local/test.sh installs it)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(problem);
        }

        Assert.Skip(problem);
    }
}
