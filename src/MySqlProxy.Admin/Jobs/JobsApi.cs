using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MySqlProxy.Admin.Http;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Jobs;

/// <summary><c>/api/jobs</c>: long work (backups, verifications, restores, replica set-ups): list, progress, cancel.</summary>
internal static class JobsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        RouteGroupBuilder group = api.MapGroup("/jobs").WithTags("Jobs");
        group.MapGet(string.Empty, List)
            .WithSummary("Jobs, the newest first (the last 500 finished ones are kept); ?kind= and ?state= filter")
            .Produces<JobResource[]>();
        group.MapGet("/{id}", Get)
            .WithSummary("One job: state, step, percent, bytes, rate, ETA, error (naming the step), result, log")
            .Produces<JobResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Cancel)
            .WithSummary("Cancels a queued or running job (202: it ends as cancelled once its work notices); 409 when it has ended")
            .Produces<JobResource>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>The admin path of a job.</summary>
    public static string PathOf(Job job) => $"/api/jobs/{Uri.EscapeDataString(job.Id)}";

    /// <summary>202 Accepted with <c>{"jobId", "location"}</c> and a Location header.</summary>
    public static IResult Accepted(Job job) => Results.Accepted(PathOf(job), JobAccepted.For(job));

    /// <summary>409 for work refused because another run is active (or the proxy is stopping).</summary>
    public static IResult Conflict(JobConflictException ex) =>
        Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Another job is in the way");

    internal static IResult List(JobManager jobs, string? kind = null, string? state = null) =>
        Results.Ok(jobs.History()
            .Where(j => kind is null || string.Equals(j.Kind, kind, StringComparison.OrdinalIgnoreCase))
            .Where(j => state is null || string.Equals(j.State.ToContractString(), state, StringComparison.OrdinalIgnoreCase))
            .Select(JobResource.From)
            .ToArray());

    internal static IResult Get(string id, JobManager jobs) =>
        jobs.Find(id) is { } job ? Results.Ok(JobResource.From(job)) : UnknownJob(id);

    internal static IResult Cancel(string id, JobManager jobs)
    {
        if (jobs.Find(id) is not { } job)
        {
            return UnknownJob(id);
        }

        return job.Cancel()
            ? Results.Accepted(PathOf(job), JobResource.From(job))
            : Results.Problem(
                detail: $"job {id} has already ended ({job.State.ToContractString()})",
                statusCode: StatusCodes.Status409Conflict,
                title: "Job has ended");
    }

    private static IResult UnknownJob(string id) =>
        Problems.NotFound("Unknown job", $"no job '{id}' (GET /api/jobs lists them; finished jobs are kept until 500 newer ones ended)");
}
