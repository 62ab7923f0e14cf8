using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlProxy.Admin;
using MySqlProxy.Core;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy;

/// <summary>The <c>mysqlproxy</c> command line: <c>mysqlproxy --config proxy.yaml [--section:key=value ...]</c>.</summary>
internal static class ProxyProgram
{
    /// <summary>Exit code for a configuration the proxy refuses.</summary>
    public const int ConfigError = 2;

    /// <summary>Exit code when a good configuration cannot be put to work (an address already in use).</summary>
    public const int StartError = 1;

    private const string EnvironmentPrefix = "MYSQLPROXY__";

    private static volatile bool s_started;

    public static async Task<int> RunAsync(string[] args)
    {
        // Subcommands (mysqlproxy backup ..., mysqlproxy agent ...) live in Cli/.
        if (Cli.Commands.TryRun(args, out Task<int> subcommand))
        {
            return await subcommand.ConfigureAwait(false);
        }

        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("""
                usage: mysqlproxy [--config proxy.yaml] [--<section>:<key>=<value> ...]
                       mysqlproxy replica add|status|cancel ...   (mysqlproxy replica --help)
                       mysqlproxy backup <full|incremental|list|show|verify|restore|archive|status|keygen> ...
                       mysqlproxy agent --listen 127.0.0.1:6081 --token T [--config proxy.yaml]

                Runs the proxy with the configuration in proxy.yaml. Any key can be overridden on the
                command line (--listen:mysql=127.0.0.1:6034) or in the environment
                (MYSQLPROXY__Listen__Mysql=127.0.0.1:6034). Stops cleanly on SIGTERM or Ctrl-C.

                Exit status: 0 after a clean stop, 1 when it cannot start (address in use),
                2 when the configuration is refused (the message names the key).
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
        catch (OperationCanceledException)
        {
            // Stopped (SIGTERM) while still starting: a clean stop.
            return 0;
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
        catch (IOException ex) when (ex.Message.StartsWith("listen.admin:", StringComparison.Ordinal))
        {
            // The admin endpoint could not bind (address in use): the message names the key and the address.
            await Console.Error.WriteLineAsync($"mysqlproxy: {ex.Message}").ConfigureAwait(false);
            return StartError;
        }
        catch (SocketException ex)
        {
            // The MySQL listener is the only socket opened at start (the host has logged the failure with its
            // stack trace); say in one line which setting could not be put to work, instead of crashing.
            string endpoint = host.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Listen.Mysql;
            await Console.Error.WriteLineAsync($"mysqlproxy: listen.mysql: cannot listen on {endpoint}: {ex.Message}").ConfigureAwait(false);
            return StartError;
        }

        s_started = true;
        WatchForReload(host);
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
            configuration.AddYamlFile(source =>
            {
                source.Path = Path.GetFullPath(configPath);
                source.Optional = false;
                source.ReloadOnChange = true;
                source.ResolveFileProvider();

                // A file broken by a later edit must not stop a running proxy: the reload is refused and logged.
                source.OnLoadException = context => context.Ignore = s_started;
            });
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or YamlDotNet.Core.YamlException)
        {
            throw new ConfigurationException($"{configPath}: not valid YAML: {ex.Message}");
        }

        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddCommandLine(overrides);

        ProxyOptions bound = LoadOptions(configuration);

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

        // Changes made through the admin endpoint are kept beside the configuration and put back over it at start.
        string runtimeState = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, AdminServerOptions.RuntimeStateFileName);
        builder.Services.AddMySqlProxyAdmin(o => o.RuntimeStatePath = runtimeState);
        return builder;
    }

    /// <summary>
    /// Reads the whole configuration into options: unknown keys, values of the wrong type and invalid settings
    /// are refused with a message naming the key (<see cref="ConfigurationException"/>).
    /// </summary>
    internal static ProxyOptions LoadOptions(IConfiguration configuration)
    {
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
            throw new ConfigurationException(DescribeBindingError(ex), ex);
        }

        // Validate here rather than only at host start, which would log the refusal as a start-up failure
        // with a stack trace before the one-line message.
        ValidateOptionsResult validation = new ProxyOptionsValidator().Validate(Options.DefaultName, bound);
        List<string> failures = validation.Failed ? [.. validation.Failures] : [];
        failures.AddRange(Operations.Backups.BackupsOptionsValidator.Validate(bound.Backups));
        if (failures.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", failures));
        }

        return bound;
    }

    /// <summary>
    /// When proxy.yaml changes, the routing section (rules, lag limit, read-your-writes, reads on the
    /// primary) takes effect for the next statement, replacing routing set through the admin endpoint; a change
    /// that does not validate is logged and refused, and the running settings stay. Other sections need a restart.
    /// </summary>
    private static void WatchForReload(IHost host)
    {
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MySqlProxy.Configuration");
        var listener = host.Services.GetRequiredService<Core.Listener.MySqlListener>();
        Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () =>
        {
            try
            {
                ProxyOptions options = LoadOptions(configuration);
                listener.UpdateRouting(options.Routing);
                Log.Reloaded(logger, options.Routing.Rules.Count, options.Routing.MaxReplicaLag.ToString());

                // The file's routing is in force now; the admin endpoint forgets (and stops persisting) its own.
                _ = host.Services.GetService<AdminServer>()?.ConfigurationRoutingReloadedAsync();
            }
            catch (ConfigurationException ex)
            {
                Log.ReloadRefused(logger, ex.Message);
            }
        });
    }

    /// <summary>
    /// Turns the binder's "Failed to convert configuration value 'abc' at 'Backends:Primary:Port' to type
    /// 'System.Int32'." into "backends.primary.port: 'abc' is not a whole number", naming the key as the file
    /// writes it, like every other configuration error.
    /// </summary>
    internal static string DescribeBindingError(InvalidOperationException ex)
    {
        Match match = Regex.Match(
            ex.Message, "^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'");
        if (!match.Success)
        {
            return ex.Message;
        }

        var key = new StringBuilder();
        foreach (string segment in match.Groups["path"].Value.Split(':'))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                key.Append('[').Append(segment).Append(']');
            }
            else
            {
                key.Append(key.Length > 0 ? "." : string.Empty).Append(ToFileKey(segment));
            }
        }

        string value = match.Groups["value"].Value;
        string type = match.Groups["type"].Value;
        string expected = type switch
        {
            "System.Int32" or "System.Int64" or "System.UInt32" or "System.Int16" => "is not a whole number",
            "System.Boolean" => "is not true or false",
            "System.Double" or "System.Decimal" => "is not a number",
            _ when typeof(ProxyOptions).Assembly.GetType(type) is { IsEnum: true } enumType =>
                $"is not one of {string.Join(", ", Enum.GetNames(enumType)).ToLowerInvariant()}",
            _ when ex.InnerException is FormatException format && format.Message.Contains(value, StringComparison.Ordinal) => format.Message.Replace($"'{value}' ", string.Empty, StringComparison.Ordinal),
            _ => $"cannot be read as {type}",
        };
        return $"{key}: '{value}' {expected}";
    }

    /// <summary>A property name as proxy.yaml spells it: <c>ShutdownTimeout</c> becomes <c>shutdown_timeout</c>.</summary>
    private static string ToFileKey(string name)
    {
        var key = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && name[i - 1] != '_')
            {
                key.Append('_');
            }

            key.Append(char.ToLowerInvariant(c));
        }

        return key.ToString();
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
