using System.Globalization;
using System.Text;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Clients;

/// <summary>
/// The mariadb command-line client through the proxy: whatever it prints must be what it prints against the
/// primary directly (connection ids and ports aside). Each test runs the same script through the proxy and then
/// direct, one after the other, on a table only that test uses.
/// </summary>
public sealed class MariaDbCliTests(ProxyFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 17)];

    [Fact(Timeout = 60_000)]
    public async Task BatchScript_WithMultiStatementsAndProcedure_OutputMatchesDirect()
    {
        string table = UniqueName("cli_batch");
        string procedure = UniqueName("cli_proc");

        // With "//" as the delimiter the line with ';' inside goes to the server as one COM_QUERY holding
        // four statements (the CLI sets CLIENT_MULTI_STATEMENTS); the CALL answers with two result sets.
        string script = $"""
            DROP TABLE IF EXISTS {table}//
            CREATE TABLE {table} (id INT PRIMARY KEY, name VARCHAR(40) CHARACTER SET utf8mb4, amount DECIMAL(10,2), born DATE, note TEXT NULL)//
            INSERT INTO {table} VALUES (1,'alpha',1.50,'2001-02-03',NULL),(2,'Zürich ☃',-20.25,'1999-12-31','tab\there'),(3,'',0,NULL,'line\nbreak')//
            SELECT * FROM {table} ORDER BY id//
            SELECT id, name FROM {table} WHERE id > 1 ORDER BY id; SELECT COUNT(*) AS n, SUM(amount) AS total FROM {table}; UPDATE {table} SET amount = amount * 2 WHERE id < 3; SELECT ROW_COUNT() AS changed//
            DROP PROCEDURE IF EXISTS {procedure}//
            CREATE PROCEDURE {procedure}() BEGIN SELECT 1 AS a; SELECT 'two' AS b, NULL AS c; END//
            CALL {procedure}()//
            SELECT * FROM {table} ORDER BY id DESC//
            DROP PROCEDURE {procedure}//
            DROP TABLE {table}//

            """;
        string[] options = ["--batch", "--delimiter=//", "--default-character-set=utf8mb4"];

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, null, Ct, options, script);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, null, Ct, options, script);

        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.True(proxied.ExitCode == 0, proxied.ToString());
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Equal(direct.StdErr, proxied.StdErr);
        Assert.Contains("Zürich ☃", proxied.StdOut, StringComparison.Ordinal);
        Assert.Contains("two\tNULL", proxied.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task MinusE_SeveralQueries_OutputMatchesDirect()
    {
        const string Sql = "SELECT 1 + 1 AS two, 'x' AS s, NULL AS n; SELECT @@version, @@version_comment, DATABASE(), CURRENT_USER(); " +
                           "SELECT seq, seq * seq AS sq FROM seq_1_to_500 WHERE seq % 7 = 0; SELECT REPEAT('ab', 5000) AS long_value";

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, Sql, Ct);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, Sql, Ct);

        Assert.True(proxied.ExitCode == 0, proxied.ToString());
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.StartsWith("two\ts\tn\n2\tx\tNULL\n", proxied.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ShowWarnings_AfterTruncation_MatchesDirect()
    {
        const string Sql = "SELECT CAST('abc' AS SIGNED) AS v, CAST('12x' AS UNSIGNED) AS w; SHOW WARNINGS; SELECT @@warning_count; " +
                           "SELECT 1 / 0 AS z; SHOW COUNT(*) WARNINGS; SHOW WARNINGS LIMIT 1";

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, Sql, Ct, ["--batch"]);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, Sql, Ct, ["--batch"]);

        Assert.True(proxied.ExitCode == 0, proxied.ToString());
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Contains("Warning\t1292\tTruncated incorrect INTEGER value: 'abc'", proxied.StdOut, StringComparison.Ordinal);
        Assert.Contains("Warning\t1365\tDivision by 0", proxied.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ShowWarningsOption_PrintsWarningsAfterEachStatementLikeDirect()
    {
        const string Sql = "SELECT CAST('abc' AS SIGNED) AS v; SELECT 1 AS clean";

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, Sql, Ct, ["--batch", "--show-warnings"]);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, Sql, Ct, ["--batch", "--show-warnings"]);

        Assert.True(proxied.ExitCode == 0, proxied.ToString());
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Equal(direct.StdErr, proxied.StdErr);
        Assert.Contains("1292", proxied.StdOut + proxied.StdErr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("SELECT * FROM cli_no_such_table_7f3a")]
    [InlineData("SELEC 1")]
    [InlineData("SELECT 1; SELECT no_such_column FROM DUAL; SELECT 3")]
    [InlineData("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom failure', MYSQL_ERRNO = 5001")]
    public async Task ServerError_ExitCodeAndMessageMatchDirect(string sql)
    {
        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, sql, Ct);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, sql, Ct);

        Assert.Equal(1, direct.ExitCode);
        Assert.Equal(direct.ExitCode, proxied.ExitCode);
        Assert.Equal(direct.StdErr, proxied.StdErr);
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Contains("\nERROR ", proxied.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ServerError_WithForce_ContinuesAndReportsLineLikeDirect()
    {
        const string Script = "SELECT 'before' AS a;\nSELECT * FROM cli_no_such_table_8b1c;\nSELECT 'after' AS b;\n";

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, null, Ct, ["--batch", "--force"], Script);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, null, Ct, ["--batch", "--force"], Script);

        Assert.Equal(direct.ExitCode, proxied.ExitCode);
        Assert.Equal(direct.StdErr, proxied.StdErr);
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Contains("at line 2", proxied.StdErr, StringComparison.Ordinal);
        Assert.Contains("after", proxied.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task LoadDataLocalInfile_WithLocalInfileOn_LoadsEveryRowLikeDirect()
    {
        string table = UniqueName("cli_load");
        string file = Path.Combine(Path.GetTempPath(), $"{table}.tsv");

        // About 1.3 MB: the upload spans many packets.
        var data = new StringBuilder();
        for (int i = 1; i <= 20_000; i++)
        {
            data.Append(i.ToString(CultureInfo.InvariantCulture)).Append('\t').Append("name-").Append(i.ToString(CultureInfo.InvariantCulture))
                .Append('\t').Append(i % 3 == 0 ? @"\N" : "Ünïcode ☃ " + i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await File.WriteAllTextAsync(file, data.ToString(), Ct);
        try
        {
            string sql = $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id INT PRIMARY KEY, name VARCHAR(40), note VARCHAR(60) CHARACTER SET utf8mb4 NULL); " +
                         $"LOAD DATA LOCAL INFILE '{file}' INTO TABLE {table} CHARACTER SET utf8mb4; SHOW WARNINGS; " +
                         $"SELECT COUNT(*), COUNT(note), SUM(id), MAX(name), MD5(GROUP_CONCAT(note ORDER BY id)) FROM {table}; " +
                         $"SELECT * FROM {table} WHERE id IN (1, 3, 20000) ORDER BY id; DROP TABLE {table}";
            string[] options = ["--batch", "--local-infile=1", "--default-character-set=utf8mb4"];

            ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, sql, Ct, options);
            ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, sql, Ct, options);

            Assert.True(direct.ExitCode == 0, direct.ToString());
            Assert.True(proxied.ExitCode == 0, proxied.ToString());
            Assert.Equal(direct.StdOut, proxied.StdOut);
            Assert.Contains("20000\t13334\t200010000\tname-9999\t", proxied.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task LoadDataLocalInfile_WithLocalInfileOff_RefusedLikeDirect()
    {
        string table = UniqueName("cli_noload");
        string file = Path.Combine(Path.GetTempPath(), $"{table}.tsv");
        await File.WriteAllTextAsync(file, "1\n2\n", Ct);
        try
        {
            string sql = $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id INT PRIMARY KEY); " +
                         $"LOAD DATA LOCAL INFILE '{file}' INTO TABLE {table}";
            string[] options = ["--batch", "--local-infile=0"];

            ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, sql, Ct, options);
            ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, sql, Ct, options);

            Assert.NotEqual(0, direct.ExitCode);
            Assert.Equal(direct.ExitCode, proxied.ExitCode);
            Assert.Equal(direct.StdErr, proxied.StdErr);

            // The refusal left the session usable: the table is still empty and can be dropped.
            ProcessResult after = await MariaDbCli.RunAsync(fixture.Proxy.Port, $"SELECT COUNT(*) FROM {table}; DROP TABLE {table}", Ct, ["--batch", "-N"]);
            Assert.Equal("0\n", after.StdOut);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task LoadDataLocalInfile_MissingFile_ClientDeclinesAndSessionGoesOnLikeDirect()
    {
        // The server asks for the file, the client answers with an empty packet: the exchange must end cleanly.
        string missing = Path.Combine(Path.GetTempPath(), $"{UniqueName("cli_missing")}.tsv");
        string script = $"CREATE TEMPORARY TABLE t (id INT);\nLOAD DATA LOCAL INFILE '{missing}' INTO TABLE t;\nSELECT 'after', COUNT(*) FROM t;\n";
        string[] options = ["--batch", "--local-infile=1", "--force"];

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, null, Ct, options, script);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, null, Ct, options, script);

        Assert.Equal(direct.ExitCode, proxied.ExitCode);
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Equal(direct.StdErr, proxied.StdErr);
        Assert.Equal("after\tCOUNT(*)\nafter\t0\n", proxied.StdOut);
        Assert.Contains("not found", proxied.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task UseAndBackslashU_SwitchDatabaseLikeDirect()
    {
        const string Script = "SELECT DATABASE();\nuse information_schema\nSELECT DATABASE(), COUNT(*) > 0 FROM TABLES WHERE TABLE_SCHEMA = 'mysql';\n" +
                              "\\u app\nSELECT DATABASE();\nUSE no_such_database_cli;\nSELECT DATABASE();\n";

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, null, Ct, ["--batch", "--force"], Script);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, null, Ct, ["--batch", "--force"], Script);

        Assert.Equal(direct.ExitCode, proxied.ExitCode);
        Assert.Equal(direct.StdOut, proxied.StdOut);
        Assert.Equal(direct.StdErr, proxied.StdErr);
        Assert.Equal("DATABASE()\napp\nDATABASE()\tCOUNT(*) > 0\ninformation_schema\t1\nDATABASE()\napp\nDATABASE()\napp\n", proxied.StdOut);
        Assert.Contains("ERROR 1049 (42000) at line 6: Unknown database 'no_such_database_cli'", proxied.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_ThroughProxy_ReportsWhatDirectReportsWithTheProxysConnectionId()
    {
        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, "status; SELECT CONNECTION_ID() AS id", Ct);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, "status; SELECT CONNECTION_ID() AS id", Ct);

        Assert.True(proxied.ExitCode == 0, proxied.ToString());
        Dictionary<string, string> p = MariaDbCli.ParseStatus(proxied.StdOut);
        Dictionary<string, string> d = MariaDbCli.ParseStatus(direct.StdOut);
        string[] differ = ["Connection id", "TCP port", "Uptime"];
        foreach ((string key, string value) in d)
        {
            if (!differ.Contains(key))
            {
                Assert.True(p.TryGetValue(key, out string? mine), $"status through the proxy has no '{key}':\n{proxied.StdOut}");
                Assert.True(value == mine, $"status '{key}': direct '{value}', through the proxy '{mine}'");
            }
        }

        Assert.Equal(fixture.Proxy.Port.ToString(CultureInfo.InvariantCulture), p["TCP port"]);
        Assert.Equal("app", p["Current database"]);
        Assert.Equal("app@127.0.0.1", p["Current user"]);

        // The connection id the CLI got in the greeting is the proxy's, and CONNECTION_ID() agrees with it.
        string[] lines = proxied.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal("id", lines[^2]);
        Assert.Equal(p["Connection id"], lines[^1]);
        Assert.Contains("Threads:", proxied.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task WrongPassword_RefusedWithSameMessageAsDirect()
    {
        string[] wrong = ["--batch", "-pwrong"];

        ProcessResult proxied = await MariaDbCli.RunAsync(fixture.Proxy.Port, "SELECT 1", Ct, wrong);
        ProcessResult direct = await MariaDbCli.RunAsync(MariaDbCli.DirectPort, "SELECT 1", Ct, wrong);

        Assert.Equal(1, proxied.ExitCode);
        Assert.Equal(direct.StdErr, proxied.StdErr);
    }

    [Fact(Timeout = 60_000)]
    public async Task MariaDbAdmin_PingAndStatus_Work()
    {
        // mariadb-admin ping/status: COM_PING and COM_STATISTICS through the proxy.
        ProcessResult admin = await ExternalProcess.RunAsync(
            "mariadb-admin", ["--no-defaults", "-h127.0.0.1", $"-P{fixture.Proxy.Port}", "-uapp", "-papp", "ping", "status"], Ct);

        Assert.True(admin.ExitCode == 0, admin.ToString());
        Assert.Contains("mysqld is alive", admin.StdOut, StringComparison.Ordinal);
        Assert.Contains("Uptime:", admin.StdOut, StringComparison.Ordinal);
    }
}
