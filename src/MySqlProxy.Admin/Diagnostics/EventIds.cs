namespace MySqlProxy.Admin.Diagnostics;

/// <summary>Stable log event ids of the admin endpoint (5xxx).</summary>
internal static class EventIds
{
    public const int AdminListening = 5000;
    public const int AdminTokenMissing = 5001;
    public const int AdminNotLoopback = 5002;
    public const int AdminStopped = 5003;
    public const int AdminUnauthorized = 5004;

    public const int BackendChanged = 5010;
    public const int RoutingChanged = 5011;
    public const int RuleAdded = 5012;
    public const int RuleRemoved = 5013;
    public const int BackendAdded = 5014;
    public const int BackendRemoved = 5015;

    public const int RuntimeLoaded = 5020;
    public const int RuntimeUnreadable = 5021;
    public const int RuntimeUnknownBackend = 5022;
    public const int RuntimeRejected = 5023;
    public const int RuntimeSaveFailed = 5024;
    public const int RuntimeRoutingReplaced = 5025;
    public const int SamplerFailed = 5030;
}
