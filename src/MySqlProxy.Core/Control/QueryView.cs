namespace MySqlProxy.Core.Control;

/// <summary>Statistics of one statement digest.</summary>
public sealed record QueryView(
    string Digest,
    string Text,
    long Count,
    long Errors,
    double TotalMs,
    double AverageMs,
    double P99Ms,
    double MaxMs,
    long Rows,
    DateTime LastSeen,
    IReadOnlyDictionary<string, long> PerBackend);
