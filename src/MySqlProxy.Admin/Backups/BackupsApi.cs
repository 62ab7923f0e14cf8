using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Jobs;
using MySqlProxy.Operations.Backups.Binlogs;
using MySqlProxy.Operations.Backups.Engine;
using MySqlProxy.Operations.Backups.Planning;
using MySqlProxy.Operations.Backups.Repository;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Backups;

/// <summary>
/// <c>/api/backups</c> and <c>/api/restores</c>: take, list, verify and restore physical backups, and see the
/// binlog archive. Long work answers 202 with the job (<c>GET /api/jobs/{id}</c>). Served by the process that
/// runs the backup work: the proxy itself, or the agent the proxy forwards these paths to.
/// </summary>
internal static class BackupsApi
{
    private static readonly Dictionary<string, string> BackupFields = new(StringComparer.Ordinal) { ["type"] = "must be \"full\" or \"incremental\"" };

    private static readonly Dictionary<string, string> ArchiveFields = new(StringComparer.Ordinal) { ["rotate"] = "must be true or false" };

    private static readonly Dictionary<string, string> RestoreFields = new(StringComparer.Ordinal)
    {
        ["time"] = "must be an ISO 8601 time such as 2026-11-24T10:15:00Z",
        ["port"] = "must be a port number",
        ["force"] = "must be true or false",
        ["target_dir"] = "must be a directory path",
    };

    public static void Map(IEndpointRouteBuilder api)
    {
        RouteGroupBuilder backups = api.MapGroup("/backups").WithTags("Backups");
        backups.MapGet(string.Empty, List)
            .WithSummary("Complete backups, oldest first: label, type, parent, GTID, LSNs, sizes, verified state");
        backups.MapPost(string.Empty, Start)
            .WithSummary("Takes a backup of the primary ({\"type\":\"full\"|\"incremental\"}); 202 with the job")
            .Produces<JobAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        backups.MapGet("/archive", Archive)
            .WithSummary("The binlog archive: files, GTID range, first and last recoverable time, gaps, the archiver's last run");
        backups.MapPost("/archive", ArchiveNow)
            .WithSummary("Archives closed binlogs now ({\"rotate\":true} closes the open one first); 202 with the job");
        backups.MapPost("/retention", Retention)
            .WithSummary("Applies the retention policy now (it also runs after each backup)");
        backups.MapGet("/{label}", Get)
            .WithSummary("One backup's manifest: objects with size and SHA-256, verification history");
        backups.MapPost("/{label}/verify", Verify)
            .WithSummary("Restores the backup into a scratch server, runs CHECK TABLE and CHECKSUM TABLE on every table, records the result; 202 with the job")
            .Produces<JobAccepted>(StatusCodes.Status202Accepted);

        api.MapPost("/restores", Restore)
            .WithTags("Backups")
            .WithSummary("Restores a backup, or a point in time or GTID from the binlog archive, into a new datadir (and port); 202 with the job")
            .Produces<JobAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    internal static async Task<IResult> List(BackupEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        IReadOnlyList<BackupRecord> backups = await service.ListAsync(ct).ConfigureAwait(false);
        return Results.Ok(backups.Select(BackupService.Summary).ToArray());
    }

    internal static async Task<IResult> Get(string label, BackupEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        if (!BackupLabel.IsValid(label))
        {
            return Problems.NotFound("Unknown backup", $"'{label}' is not a backup label (GET /api/backups lists them)");
        }

        BackupRecord? record = await service.Repository.LoadManifestAsync(label, ct).ConfigureAwait(false);
        return record is null
            ? Problems.NotFound("Unknown backup", $"no backup '{label}' (GET /api/backups lists them)")
            : Results.Ok(record with { });
    }

    internal static async Task<IResult> Start(HttpRequest request, BackupEndpoint endpoint)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        (BackupBody? body, IResult? problem) = await RequestBody.ReadAsync<BackupBody>(request, BackupFields).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        BackupType? type = body!.Type switch
        {
            "full" => BackupType.Full,
            "incremental" => BackupType.Incremental,
            _ => null,
        };
        if (type is null)
        {
            return Problems.Invalid("type", "must be \"full\" or \"incremental\"");
        }

        return StartJob(() => service.StartBackup(type.Value));
    }

    internal static async Task<IResult> Verify(string label, BackupEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        IReadOnlyList<BackupRecord> backups = await service.ListAsync(ct).ConfigureAwait(false);
        if (backups.All(b => b.Label != label))
        {
            return Problems.NotFound("Unknown backup", $"no backup '{label}' (GET /api/backups lists them)");
        }

        return StartJob(() => service.StartVerify(label));
    }

    internal static async Task<IResult> Archive(BackupEndpoint endpoint, CancellationToken ct) =>
        endpoint.Service is { } service ? Results.Ok(await service.ArchiveStatusAsync(ct).ConfigureAwait(false)) : NotConfigured();

    internal static async Task<IResult> ArchiveNow(HttpRequest request, BackupEndpoint endpoint)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        bool rotate = true;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            (ArchiveBody? body, IResult? problem) = await RequestBody.ReadAsync<ArchiveBody>(request, ArchiveFields).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            rotate = body!.Rotate;
        }

        return StartJob(() => service.StartArchive(rotate));
    }

    internal static async Task<IResult> Retention(BackupEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        RetentionPlan plan = await service.ApplyRetentionAsync(ct).ConfigureAwait(false);
        return Results.Ok(new
        {
            kept = plan.Kept.Select(b => b.Label).ToArray(),
            expired = plan.Expired.Select(b => b.Label).ToArray(),
            expired_binlogs = plan.ExpiredBinlogs.Select(b => b.Name).ToArray(),
        });
    }

    internal static async Task<IResult> Restore(HttpRequest request, BackupEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.Service is not { } service)
        {
            return NotConfigured();
        }

        (RestoreBody? body, IResult? problem) = await RequestBody.ReadAsync<RestoreBody>(request, RestoreFields).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body!.TargetDir) || !Path.IsPathRooted(body.TargetDir))
        {
            errors["target_dir"] = ["required: an absolute path for the new datadir (restores never go over a running server)"];
        }

        if (body.Time is not null && body.Gtid is not null)
        {
            errors["gtid"] = ["give time or gtid, not both"];
        }

        if (body.Gtid is not null && !GtidPosition.TryParseOne(body.Gtid, out _, out _, out _))
        {
            errors["gtid"] = [$"'{body.Gtid}' is not a GTID (domain-server-sequence, such as 0-1-42)"];
        }

        if (body.Port is int port && port is < 1 or > 65535)
        {
            errors["port"] = [$"{port} is not a port (1-65535)"];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var restore = new RestoreRequest
        {
            Backup = body.Backup,
            Time = body.Time,
            Gtid = body.Gtid,
            TargetDir = body.TargetDir!,
            Port = body.Port,
            Force = body.Force,
        };

        // Strict: a target the backups and the archive do not cover is refused now, naming what they cover.
        try
        {
            await service.PlanAsync(restore, ct).ConfigureAwait(false);
        }
        catch (RecoveryRangeException ex)
        {
            return Problems.Invalid(body.Time is not null ? "time" : body.Gtid is not null ? "gtid" : "backup", ex.Message);
        }

        return StartJob(() => service.StartRestore(restore));
    }

    private static IResult StartJob(Func<Job> start)
    {
        try
        {
            return JobsApi.Accepted(start());
        }
        catch (JobConflictException ex)
        {
            return JobsApi.Conflict(ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("backups.", StringComparison.Ordinal))
        {
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status500InternalServerError, title: "Backups are misconfigured");
        }
    }

    private static IResult NotConfigured() =>
        Results.Problem(
            detail: "backups are not configured: set backups.repository (path or s3) and backups.encryption in proxy.yaml",
            statusCode: StatusCodes.Status409Conflict,
            title: "Backups not configured");
}
