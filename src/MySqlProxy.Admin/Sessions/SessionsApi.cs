using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Metrics;
using MySqlProxy.Core.Listener;

namespace MySqlProxy.Admin.Sessions;

/// <summary><c>/api/sessions</c> and <c>/api/queries</c>: what clients are doing and what their statements cost.</summary>
internal static class SessionsApi
{
    private const int DefaultQueryLimit = 100;

    /// <summary>As many digests as the proxy keeps (and one "other" entry beyond them).</summary>
    private const int MaxQueryLimit = 10_000;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/sessions/pinned", Pinned)
            .WithTags("Sessions")
            .WithSummary("Client sessions, and those pinned to a backend connection by cause")
            .Produces<PinnedSessionsResource>();
        api.MapGet("/queries", Queries)
            .WithTags("Queries")
            .WithSummary("Statement digest statistics since start or the last reset, the most total time first (?limit=, default 100)")
            .Produces<QueryResource[]>()
            .ProducesValidationProblem();
        api.MapDelete("/queries", ResetQueries)
            .WithTags("Queries")
            .WithSummary("Forgets the statement digest statistics")
            .Produces(StatusCodes.Status204NoContent);
    }

    internal static IResult Pinned(MySqlListener listener)
    {
        var pinned = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach ((string cause, int count) in listener.Control.PinnedSessions())
        {
            pinned[ProxyMetricsWriter.CauseName(cause)] = count;
        }

        return Results.Ok(new PinnedSessionsResource(listener.Control.Sessions, listener.SessionCount, pinned));
    }

    internal static IResult Queries(string? limit, MySqlListener listener)
    {
        int top = DefaultQueryLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxQueryLimit))
        {
            return Problems.Invalid("limit", $"must be a whole number 1-{MaxQueryLimit}");
        }

        return Results.Ok(listener.Control.Queries(top).Select(QueryResource.From).ToArray());
    }

    internal static IResult ResetQueries(MySqlListener listener)
    {
        listener.Control.ResetQueries();
        return Results.NoContent();
    }
}
