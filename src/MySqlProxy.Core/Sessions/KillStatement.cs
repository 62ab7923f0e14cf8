namespace MySqlProxy.Core.Sessions;

/// <summary>What a KILL statement asks for.</summary>
internal enum KillScope
{
    /// <summary>KILL [CONNECTION] id: end the session.</summary>
    Connection,

    /// <summary>KILL QUERY id: stop the running statement only.</summary>
    Query,
}

/// <summary>A parsed <c>KILL [HARD|SOFT] [CONNECTION|QUERY] id</c>; ids are the proxy's connection ids.</summary>
internal readonly record struct KillStatement(KillScope Scope, string? Modifier, ulong Id);
