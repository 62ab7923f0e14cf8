using MySqlProxy.Core.Control;

namespace MySqlProxy.Admin.Sessions;

/// <summary>
/// Statistics of one statement digest (<c>GET /api/queries</c>): the statement's shape without its values, how
/// often it ran, how long it took, the rows it returned or changed, when it last ran, and on which backends.
/// </summary>
/// <param name="Digest">The digest hash, as <c>GET /api/routing/explain</c> shows it (<c>digest_hash</c>).</param>
/// <param name="Text">The normalized statement.</param>
/// <param name="Count">Statements of this shape run.</param>
/// <param name="Errors">Of them, how many got an error.</param>
/// <param name="TotalMs">Time they took together, from sending to the last packet of the answer, in milliseconds.</param>
/// <param name="AvgMs">Average time per statement.</param>
/// <param name="P99Ms">99th percentile of the time (from a power-of-two histogram: an upper bound within a factor of 2).</param>
/// <param name="MaxMs">Longest time.</param>
/// <param name="Rows">Rows returned or changed.</param>
/// <param name="LastSeen">When one last ran (UTC).</param>
/// <param name="PerBackend">Statements run per backend name.</param>
internal sealed record QueryResource(
    string Digest,
    string Text,
    long Count,
    long Errors,
    double TotalMs,
    double AvgMs,
    double P99Ms,
    double MaxMs,
    long Rows,
    DateTime LastSeen,
    IReadOnlyDictionary<string, long> PerBackend)
{
    public static QueryResource From(QueryView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Digest, view.Text, view.Count, view.Errors, Math.Round(view.TotalMs, 3), Math.Round(view.AverageMs, 3),
            Math.Round(view.P99Ms, 3), Math.Round(view.MaxMs, 3), view.Rows, view.LastSeen, view.PerBackend);
    }
}
