namespace MySqlProxy.Cli;

/// <summary>
/// Subcommands of <c>mysqlproxy</c> besides running the proxy: <c>mysqlproxy &lt;name&gt; ...</c>. Each lives in
/// its own file; add one here with one line.
/// </summary>
internal static class Commands
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> s_commands = new(StringComparer.Ordinal)
    {
        ["backup"] = BackupCommand.RunAsync,
        ["agent"] = AgentCommand.RunAsync,
    };

    /// <summary>Names for the usage text.</summary>
    public static IEnumerable<string> Names => s_commands.Keys;

    /// <summary>Runs the subcommand named by the first argument, if there is one.</summary>
    public static bool TryRun(string[] args, out Task<int> run)
    {
        if (args.Length > 0 && s_commands.TryGetValue(args[0], out Func<string[], Task<int>>? command))
        {
            run = command(args[1..]);
            return true;
        }

        run = Task.FromResult(0);
        return false;
    }
}
