using MySqlProxy;

if (args is ["replica", ..])
{
    return await MySqlProxy.Cli.ReplicaCommand.RunAsync(args[1..]).ConfigureAwait(false);
}

return await ProxyProgram.RunAsync(args).ConfigureAwait(false);
