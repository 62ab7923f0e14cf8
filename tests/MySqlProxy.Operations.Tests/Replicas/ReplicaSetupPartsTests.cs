using MySqlProxy.Operations.Jobs;
using MySqlProxy.Operations.Replicas;

namespace MySqlProxy.Operations.Tests.Replicas;

public sealed class ReplicaSetupPartsTests
{
    [Theory]
    [InlineData("mysql-bin.000002\t1234\t0-15306-57\n", "mysql-bin.000002", 1234L, "0-15306-57")]
    [InlineData("mysql-bin.000010\t4\t0-1-5,1-2-7", "mysql-bin.000010", 4L, "0-1-5,1-2-7")]
    [InlineData("mysql-bin.000010\t4\t0-1-5, 1-2-7", "mysql-bin.000010", 4L, "0-1-5,1-2-7")]
    public void BackupBinlogInfo_Parse_FileOffsetAndGtid(string text, string file, long position, string gtid)
    {
        BackupBinlogInfo info = BackupBinlogInfo.Parse(text);
        Assert.Equal(file, info.File);
        Assert.Equal(position, info.Position);
        Assert.Equal(gtid, info.GtidPosition);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mysql-bin.000002\t1234")]
    [InlineData("mysql-bin.000002\tx\t0-1-1")]
    public void BackupBinlogInfo_Malformed_FailsTheJobWithAReason(string text) =>
        Assert.Contains("binlog", Assert.Throws<JobFailedException>(() => BackupBinlogInfo.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task BackupBinlogInfo_Read_TakesTheOldFileNameOf1011()
    {
        string directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, BackupBinlogInfo.OldFileName), "mysql-bin.000001\t99\t0-1-3", TestContext.Current.CancellationToken);
            Assert.Equal("0-1-3", (await BackupBinlogInfo.ReadAsync(directory, TestContext.Current.CancellationToken)).GtidPosition);
            File.Delete(Path.Combine(directory, BackupBinlogInfo.OldFileName));
            await Assert.ThrowsAsync<JobFailedException>(() => BackupBinlogInfo.ReadAsync(directory, TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("10.11.19-MariaDB-0+deb12u1-log", "10.11.19-MariaDB", 0)]
    [InlineData("10.11.18-MariaDB", "10.11.19-MariaDB-log", 0)]
    [InlineData("10.6.20-MariaDB", "10.11.19-MariaDB", -1)]
    [InlineData("11.4.2-MariaDB", "10.11.19-MariaDB", 1)]
    public void ServerVersion_Compare_BySeries(string a, string b, int sign) => Assert.Equal(sign, Math.Sign(ServerVersion.Compare(a, b)));

    [Fact]
    public void ServerVersion_Short_NumbersOnly() => Assert.Equal("10.11.19", ServerVersion.Short("10.11.19-MariaDB-0+deb12u1-log"));

    [Theory]
    [InlineData("t", "`t`")]
    [InlineData("a`b", "`a``b`")]
    [InlineData("odd name", "`odd name`")]
    public void Sql_Id_Backticks(string name, string quoted) => Assert.Equal(quoted, Sql.Id(name));

    [Theory]
    [InlineData("x", "'x'")]
    [InlineData("o'k", "'o''k'")]
    [InlineData(@"a\b", @"'a\\b'")]
    public void Sql_Literal_Escapes(string value, string literal) => Assert.Equal(literal, Sql.Literal(value));

    [Fact]
    public void ColumnCopy_Bit_LoadsThroughAVariableAndCast()
    {
        ColumnCopy copy = ColumnCopy.For("flags", "bit", 5, 3);
        Assert.Equal("`flags`", copy.Select);
        Assert.Equal("@c3", copy.Mapping.DestinationColumn);
        Assert.Equal("`flags` = CAST(@c3 AS UNSIGNED)", copy.Mapping.Expression);
    }

    [Fact]
    public void ColumnCopy_WideDecimal_ReadAsText()
    {
        Assert.Equal("CAST(`big` AS CHAR) AS `big`", ColumnCopy.For("big", "decimal", 40, 0).Select);
        Assert.Equal("`small`", ColumnCopy.For("small", "decimal", 12, 0).Select);
        Assert.Equal("small", ColumnCopy.For("small", "decimal", 12, 0).Mapping.DestinationColumn);
    }

    [Fact]
    public void Request_Auto_PhysicalOnlyWithDatadirAndDefaultsFile()
    {
        var target = new ServerLogin("127.0.0.1", 13309, "admin", "secret");
        var logical = new ReplicaSetupRequest("db4", target, 100, null, SeedMethod.Auto, null, null, null, null, 4, TimeSpan.FromMinutes(1));
        Assert.Equal(SeedMethod.Logical, logical.EffectiveSeed);
        Assert.Equal(SeedMethod.Physical, (logical with { Datadir = "/d", DefaultsFile = "/d/my.cnf" }).EffectiveSeed);
        Assert.Equal(SeedMethod.Logical, (logical with { Datadir = "/d" }).EffectiveSeed);
        Assert.Equal(SeedMethod.Logical, (logical with { Seed = SeedMethod.Logical, Datadir = "/d", DefaultsFile = "/d/my.cnf" }).EffectiveSeed);
    }

    [Fact]
    public void Request_DescribeAndLogin_NeverShowThePassword()
    {
        var target = new ServerLogin("127.0.0.1", 13309, "admin", "s3cret-pw");
        var request = new ReplicaSetupRequest("db4", target, 100, null, SeedMethod.Auto, null, null, null, null, 4, TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(request.Describe().Values, v => v.Contains("s3cret", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret", target.ToString(), StringComparison.Ordinal);
        Assert.Equal("admin@127.0.0.1:13309", target.ToString());
    }
}
