using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlProxy.Core;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy;

/// <summary>The <c>mysqlproxy</c> command line: <c>mysqlproxy --config proxy.yaml [--section:key=value ...]</c>.</summary>
internal static class ProxyProgram
{
    /// <summary>Exit code for a configuration the proxy refuses.</summary>
    public const int ConfigError = 2;

    private const string EnvironmentPrefix = "MYSQLPROXY__";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("""
                usage: mysqlproxy [--config proxy.yaml] [--<section>:<key>=<value> ...]

                Runs the proxy with the configuration in proxy.yaml. Any key can be overridden on the
                command line (--listen:mysql=127.0.0.1:6034) or in the environment
                (MYSQLPROXY__Listen__Mysql=127.0.0.1:6034). Stops cleanly on SIGTERM or Ctrl-C.
                """);
            return 0;
        }

        HostApplicationBuilder builder;
        try
        {
            builder = CreateBuilder(args);
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy: configuration error: {ex.Message}").ConfigureAwait(false);
            return ConfigError;
        }

        using IHost host = builder.Build();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"mysqlproxy: configuration error: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return ConfigError;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"mysqlproxy: configuration error: {ex.Message}").ConfigureAwait(false);
            return ConfigError;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") != "1")
        {
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MySqlProxy").LogWarning(
                "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS is not 1: socket completions hop through the thread pool, which roughly doubles CPU per query (deploy/local/run.sh and the systemd unit set it)");
        }

        await host.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Builds the host: proxy.yaml, then MYSQLPROXY__ environment variables, then command-line overrides.</summary>
    internal static HostApplicationBuilder CreateBuilder(string[] args)
    {
        (string configPath, string[] overrides) = SplitArguments(args);
        if (!File.Exists(configPath))
        {
            throw new ConfigurationException($"--config: file '{configPath}' not found");
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        ConfigurationManager configuration = builder.Configuration;
        try
        {
            configuration.AddYamlFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or YamlDotNet.Core.YamlException)
        {
            throw new ConfigurationException($"{configPath}: not valid YAML: {ex.Message}");
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddCommandLine(overrides);

        IReadOnlyList<string> unknown = ConfigurationKeyChecker.FindUnknownKeys<ProxyOptions>(configuration, ["logging"]);
        if (unknown.Count > 0)
        {
            throw new ConfigurationException($"unknown key{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
        }

        ProxyOptions bound = new();
        try
        {
            configuration.Bind(bound);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException(ex.Message);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddConfiguration(configuration.GetSection("logging"));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = bound.Sessions.ShutdownTimeout.Value + TimeSpan.FromSeconds(5));
        builder.Services.AddMySqlProxy(configuration);
        return builder;
    }

    private static (string ConfigPath, string[] Overrides) SplitArguments(string[] args)
    {
        string path = "proxy.yaml";
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--config" or "-c")
            {
                if (i + 1 >= args.Length)
                {
                    throw new ConfigurationException("--config needs a file name");
                }

                path = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                path = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (path, [.. rest]);
    }
}
