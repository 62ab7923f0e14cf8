using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Backups;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Cli;

/// <summary><c>mysqlproxy agent --listen 127.0.0.1:PORT --token T [--config proxy.yaml]</c>: the backup agent of a database host.</summary>
internal static class AgentCommand
{
    private const string Usage = """
        usage: mysqlproxy agent [--listen 127.0.0.1:6081] [--token T] [--config proxy.yaml]

        Runs the backup agent on the database host: mariadb-backup, restores, verification, the binlog
        archiver and the backup schedules, behind /api/backups, /api/restores and /api/jobs, guarded by
        a bearer token (--token, else backups.agent.token). The proxy forwards its backup paths here when
        backups.agent.url is set. It reads the backups section (and backends.primary) of proxy.yaml.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        ProxyOptions options;
        IPEndPoint listen;
        string token;
        try
        {
            var cli = new CliArguments(args, new HashSet<string>());
            foreach (string name in cli.Names.Where(n => n is not ("listen" or "token" or "config")))
            {
                throw new CliException($"--{name}: unknown option (see mysqlproxy agent --help)");
            }

            string configPath = cli.Get("config") ?? "proxy.yaml";
            if (!File.Exists(configPath))
            {
                throw new CliException($"--config: file '{configPath}' not found");
            }

            IConfiguration configuration = new ConfigurationBuilder()
                .AddYamlFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false)
                .AddEnvironmentVariables("MYSQLPROXY__")
                .Build();
            options = ProxyProgram.LoadOptions(configuration);
            if (!options.Backups.IsEnabled())
            {
                throw new CliException("backups.repository: not set in the configuration; the agent has nothing to do");
            }

            string endpoint = cli.Get("listen") ?? "127.0.0.1:6081";
            if (!IPEndPoint.TryParse(endpoint, out IPEndPoint? parsed) || !endpoint.Contains(':', StringComparison.Ordinal))
            {
                throw new CliException($"--listen: '{endpoint}' is not an address:port");
            }

            listen = parsed;
            token = cli.Get("token") ?? options.Backups.Agent.Token;
            if (string.IsNullOrEmpty(token))
            {
                throw new CliException("--token: required (or backups.agent.token)");
            }
        }
        catch (Exception ex) when (ex is CliException or ConfigurationException)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy agent: {ex.Message}").ConfigureAwait(false);
            return ProxyProgram.ConfigError;
        }

        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        }));
        ILogger logger = loggers.CreateLogger("MySqlProxy.Agent");
        await using var agent = new AgentServer(options, listen, token, loggers);
        try
        {
            await agent.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy agent: --listen: cannot listen on {listen}: {ex.Message}").ConfigureAwait(false);
            return ProxyProgram.StartError;
        }

        Log.AgentListening(logger, agent.BaseAddress?.ToString() ?? listen.ToString());
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
