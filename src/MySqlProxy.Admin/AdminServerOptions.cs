namespace MySqlProxy.Admin;

/// <summary>How the executable sets up the admin endpoint beyond proxy.yaml's <c>listen.admin</c> and <c>admin.token</c>.</summary>
public sealed class AdminServerOptions
{
    /// <summary>The run-time settings file's name, beside the configuration file.</summary>
    public const string RuntimeStateFileName = "proxy.runtime.json";

    /// <summary>
    /// Where changes made through the endpoint are kept across restarts (normally <c>proxy.runtime.json</c> beside
    /// the configuration file); null keeps them only until the process stops.
    /// </summary>
    public string? RuntimeStatePath { get; set; }

    /// <summary>How often backends' statement counters are sampled for statements per second.</summary>
    public TimeSpan RateSamplingPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
