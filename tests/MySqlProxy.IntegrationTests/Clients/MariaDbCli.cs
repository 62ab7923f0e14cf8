using System.Net;
using MySqlProxy.IntegrationTests.Infrastructure;

namespace MySqlProxy.IntegrationTests.Clients;

/// <summary>The mariadb command-line client from Debian's mariadb-client, as a user runs it.</summary>
internal static class MariaDbCli
{
    public const string Program = "mariadb";

    /// <summary>The primary's port, for running the same command direct.</summary>
    public static int DirectPort => Topology.Primary.Port;

    /// <summary>
    /// Runs <c>mariadb --no-defaults -h127.0.0.1 -P{port} -uapp -papp [extra...] app</c>, with <paramref name="sql"/>
    /// as <c>-e</c> when given, else reading <paramref name="standardInput"/>.
    /// </summary>
    public static Task<ProcessResult> RunAsync(
        int port,
        string? sql,
        CancellationToken cancellationToken,
        IEnumerable<string>? extraArguments = null,
        string? standardInput = null,
        string database = "app")
    {
        var arguments = new List<string>
        {
            "--no-defaults",
            $"-h{IPAddress.Loopback}",
            $"-P{port}",
            "-uapp",
            "-papp",
            "--connect-timeout=10",
        };
        arguments.AddRange(extraArguments ?? []);
        if (sql is not null)
        {
            arguments.Add("-e");
            arguments.Add(sql);
        }

        arguments.Add(database);
        return ExternalProcess.RunAsync(Program, arguments, cancellationToken, standardInput, timeout: TimeSpan.FromSeconds(40));
    }

    /// <summary>The "Key:&lt;tabs&gt;Value" lines of the <c>status</c> command, by key.</summary>
    public static Dictionary<string, string> ParseStatus(string output)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line.StartsWith("Threads:", StringComparison.Ordinal) || line.StartsWith("mariadb ", StringComparison.Ordinal))
            {
                continue;
            }

            fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return fields;
    }
}
