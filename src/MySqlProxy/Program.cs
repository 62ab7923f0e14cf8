using MySqlProxy;

return await ProxyProgram.RunAsync(args).ConfigureAwait(false);
