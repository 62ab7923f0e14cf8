namespace MySqlProxy.Operations.Replicas;

/// <summary>What an operator asked for: the new replica, where it is, and how to seed it.</summary>
/// <param name="Name">The backend name it gets in routing.</param>
/// <param name="Target">The new server and the login used on it.</param>
/// <param name="Weight">Its share of reads once admitted.</param>
/// <param name="MaxLag">Its own lag limit (null: routing.max_replica_lag).</param>
/// <param name="Seed">How its data is copied.</param>
/// <param name="Datadir">Physical seed: the new server's data directory on this host.</param>
/// <param name="DefaultsFile">Physical seed: the new server's option file (my.cnf) on this host, used to stop and start it.</param>
/// <param name="MasterHost">The primary's address as the new replica reaches it (null: the proxy's backends.primary host).</param>
/// <param name="MasterPort">The primary's port as the new replica reaches it (null: backends.primary port).</param>
/// <param name="Parallel">Tables copied at once by a logical seed.</param>
/// <param name="CatchUpTimeout">How long it may take to come within its lag limit once replicating.</param>
public sealed record ReplicaSetupRequest(
    string Name,
    ServerLogin Target,
    int Weight,
    TimeSpan? MaxLag,
    SeedMethod Seed,
    string? Datadir,
    string? DefaultsFile,
    string? MasterHost,
    int? MasterPort,
    int Parallel,
    TimeSpan CatchUpTimeout)
{
    /// <summary>The seed method in force: Auto becomes physical when a datadir and defaults file are given.</summary>
    public SeedMethod EffectiveSeed => Seed != SeedMethod.Auto
        ? Seed
        : !string.IsNullOrWhiteSpace(Datadir) && !string.IsNullOrWhiteSpace(DefaultsFile) ? SeedMethod.Physical : SeedMethod.Logical;

    /// <summary>What the job shows as its parameters (no secrets).</summary>
    public IReadOnlyDictionary<string, string> Describe()
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = Name,
            ["host"] = Target.Host,
            ["port"] = Target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["weight"] = Weight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = EffectiveSeed.ToString().ToLowerInvariant(),
            ["user"] = Target.User,
        };
        if (Datadir is not null)
        {
            parameters["datadir"] = Datadir;
        }

        if (DefaultsFile is not null)
        {
            parameters["defaults_file"] = DefaultsFile;
        }

        return parameters;
    }
}
