using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Jobs;
using MySqlProxy.Admin.Persistence;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Control;
using MySqlProxy.Operations.Jobs;
using MySqlProxy.Operations.Replicas;

namespace MySqlProxy.Admin.Replicas;

/// <summary><c>/api/replicas</c>: turns an empty MariaDB server into a replica serving reads, as one tracked job.</summary>
internal static class ReplicasApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        RouteGroupBuilder group = api.MapGroup("/replicas").WithTags("Replicas");
        group.MapPost(string.Empty, AddAsync)
            .WithSummary("Sets up a new replica from an empty server (check, prepare the primary, seed, CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos, START SLAVE, join routing, catch up); 202 with the job")
            .Accepts<ReplicaAdd>("application/json")
            .Produces<JobAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status501NotImplemented);
    }

    internal static async Task<IResult> AddAsync(
        HttpRequest request, ProxyControl control, ProxyOptions options, JobManager jobs, RuntimeStateStore store, ILoggerFactory loggers)
    {
        (ReplicaAdd? body, IResult? problem) = await RequestBody.ReadAsync<ReplicaAdd>(request, ReplicaAdd.Expected).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        if (body.Agent is not null)
        {
            return Problems.NotImplemented("agent: seeding through an agent on the new server's host is not supported yet; give datadir and defaults_file when the new server runs on the proxy's host, or leave them out for a logical seed");
        }

        var errors = Validate(body);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        foreach (BackendView backend in control.Backends())
        {
            if (string.Equals(backend.Name, body.Name, StringComparison.OrdinalIgnoreCase))
            {
                return Results.Problem(detail: $"name: a backend named '{backend.Name}' exists already", statusCode: StatusCodes.Status409Conflict, title: "Backend exists already");
            }

            if (backend.Port == body.Port && string.Equals(backend.Host, body.Host, StringComparison.OrdinalIgnoreCase))
            {
                return Results.Problem(detail: $"host, port: {body.Host}:{body.Port} is backend '{backend.Name}' already", statusCode: StatusCodes.Status409Conflict, title: "Backend exists already");
            }
        }

        ReplicaSetupOptions setup = options.ReplicaSetup;
        var target = new ServerLogin(body.Host!, body.Port!.Value, body.User ?? setup.User, body.Password ?? setup.Password);
        var primary = new ServerLogin(options.Backends.Primary.Host, options.Backends.Primary.Port, setup.User, setup.Password);
        var replica = new ReplicaSetupRequest(
            body.Name!, target, body.Weight ?? 100, body.MaxLag?.Value, body.Seed ?? SeedMethod.Auto, body.Datadir, body.DefaultsFile,
            body.MasterHost, body.MasterPort, body.Parallel ?? setup.Parallel, body.CatchUpTimeout?.Value ?? setup.CatchUpTimeout.Value);

        var work = new ReplicaSetup(
            control, primary, setup, replica, loggers.CreateLogger("MySqlProxy.Operations.Replicas"),
            joined: async (backend, ct) =>
            {
                store.BackendAdded(backend);
                await store.SaveAsync(ct).ConfigureAwait(false);
            },
            left: async name =>
            {
                store.BackendRemoved(name);
                await store.SaveAsync(CancellationToken.None).ConfigureAwait(false);
            });
        try
        {
            return JobsApi.Accepted(work.Start(jobs));
        }
        catch (JobConflictException ex)
        {
            return JobsApi.Conflict(ex);
        }
    }

    private static Dictionary<string, string[]> Validate(ReplicaAdd body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Fail(string field, string? why = null) => errors[field] = [why ?? ReplicaAdd.Expected[field]];
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            Fail("name");
        }

        if (string.IsNullOrWhiteSpace(body.Host))
        {
            Fail("host");
        }

        if (body.Port is not (>= 1 and <= 65535))
        {
            Fail("port");
        }

        if (body.Weight is < 0 or > ProxyOptionsValidator.MaxWeight)
        {
            Fail("weight");
        }

        if (body.MaxLag is { } lag && lag.Value <= TimeSpan.Zero)
        {
            Fail("max_lag", "must be more than 0 (or null for routing.max_replica_lag)");
        }

        if (body.MasterPort is not null and not (>= 1 and <= 65535))
        {
            Fail("master_port");
        }

        if (body.Parallel is not null and not (>= 1 and <= 64))
        {
            Fail("parallel");
        }

        if (body.CatchUpTimeout is { } wait && wait.Value <= TimeSpan.Zero)
        {
            Fail("catch_up_timeout");
        }

        if (body.Datadir is not null && !Path.IsPathFullyQualified(body.Datadir))
        {
            Fail("datadir");
        }

        if (body.DefaultsFile is not null && !Path.IsPathFullyQualified(body.DefaultsFile))
        {
            Fail("defaults_file");
        }

        if (body.Seed == SeedMethod.Physical)
        {
            if (body.Datadir is null)
            {
                Fail("datadir", "is required for a physical seed: " + ReplicaAdd.Expected["datadir"]);
            }

            if (body.DefaultsFile is null)
            {
                Fail("defaults_file", "is required for a physical seed: " + ReplicaAdd.Expected["defaults_file"]);
            }
        }

        return errors;
    }
}
