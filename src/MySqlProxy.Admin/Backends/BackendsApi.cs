using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Diagnostics;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Persistence;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Control;

namespace MySqlProxy.Admin.Backends;

/// <summary><c>/api/backends</c>: list, show and change backends (weight, state, own lag limit).</summary>
internal static class BackendsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        RouteGroupBuilder group = api.MapGroup("/backends").WithTags("Backends");
        group.MapGet(string.Empty, List)
            .WithSummary("Every backend, the primary first: role, state, health, lag, weights, connections, statements per second")
            .Produces<BackendResource[]>();
        group.MapGet("/{name}", Get)
            .WithSummary("One backend")
            .Produces<BackendResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{name}", PatchAsync)
            .WithSummary("Changes weight (0-1000), state (online | draining | offline) and max_lag (a duration, or null); takes effect on the next statement")
            .Accepts<BackendPatch>("application/json")
            .Produces<BackendResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost(string.Empty, AddAsync)
            .WithSummary("Adds a replica (name, host, port, weight, state, max_lag); it gets reads once the monitor sees it up and under its lag limit")
            .Accepts<BackendAdd>("application/json")
            .Produces<BackendResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{name}", RemoveAsync)
            .WithSummary("Removes a replica: nothing new goes to it at once, then it waits (?wait=30s) for pinned sessions and running statements; 409 says what still runs")
            .Produces<BackendRemoval>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    internal static IResult List(ProxyControl control, StatementRateSampler rates) =>
        Results.Ok(control.Backends().Select(b => BackendResource.From(b, rates.Rate(b.Name))).ToArray());

    internal static IResult Get(string name, ProxyControl control, StatementRateSampler rates) =>
        control.Backend(name) is { } view
            ? Results.Ok(BackendResource.From(view, rates.Rate(view.Name)))
            : UnknownBackend(name);

    internal static async Task<IResult> PatchAsync(
        string name, HttpRequest request, ProxyControl control, StatementRateSampler rates, RuntimeStateStore store, ILogger<AdminServer> logger)
    {
        if (control.Backend(name) is null)
        {
            return UnknownBackend(name);
        }

        (BackendPatch? patch, IResult? problem) = await RequestBody.ReadAsync<BackendPatch>(request, BackendPatch.Expected).ConfigureAwait(false);
        if (patch is null)
        {
            return problem!;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (patch.Weight is < 0 or > ProxyOptionsValidator.MaxWeight)
        {
            errors["weight"] = [$"{patch.Weight} is out of range: {BackendPatch.Expected["weight"]}"];
        }

        if (patch.MaxLag is { } lag && lag.Value <= TimeSpan.Zero)
        {
            errors["max_lag"] = ["must be more than 0 (or null for routing.max_replica_lag)"];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        BackendView view;
        try
        {
            view = control.UpdateBackend(name, patch.Weight, patch.State, patch.MaxLag?.Value, clearMaxLag: patch.HasMaxLag && patch.MaxLag is null);
        }
        catch (KeyNotFoundException)
        {
            return UnknownBackend(name);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            string field = ex.ParamName switch
            {
                "maxLag" => "max_lag",
                null => "body",
                string other => other,
            };
            return Problems.Invalid(field, BackendPatch.Expected.GetValueOrDefault(field) ?? ex.Message);
        }

        Log.BackendChanged(logger, view.Name, view.Weight, view.State.ToString().ToLowerInvariant(),
            view.MaxLagMs is double ms ? Duration.FromMilliseconds(ms).ToString() : "routing.max_replica_lag");
        store.BackendChanged(view.Name);
        IResult ok = Results.Ok(BackendResource.From(view, rates.Rate(view.Name)));
        return await store.SaveAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) ? ok : Problems.NotSaved(store.Path);
    }

    internal static async Task<IResult> AddAsync(
        HttpRequest request, ProxyControl control, StatementRateSampler rates, RuntimeStateStore store, ILogger<AdminServer> logger)
    {
        (BackendAdd? body, IResult? problem) = await RequestBody.ReadAsync<BackendAdd>(request, BackendAdd.Expected).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            errors["name"] = [BackendAdd.Expected["name"]];
        }

        if (string.IsNullOrWhiteSpace(body.Host))
        {
            errors["host"] = [BackendAdd.Expected["host"]];
        }

        if (body.Port is not (>= 1 and <= 65535))
        {
            errors["port"] = [BackendAdd.Expected["port"]];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var options = new BackendOptions { Name = body.Name!, Host = body.Host!, Port = body.Port!.Value, Weight = body.Weight ?? 100 };
        BackendView view;
        try
        {
            view = control.AddReplica(options, body.State ?? BackendState.Online, body.MaxLag?.Value);
        }
        catch (BackendChangeException ex) when (ex.Field is "name" or "port" && ex.Message.Contains("already", StringComparison.Ordinal))
        {
            return Results.Problem(detail: $"{ex.Field}: {ex.Message}", statusCode: StatusCodes.Status409Conflict, title: "Backend exists already");
        }
        catch (BackendChangeException ex)
        {
            return Problems.Invalid(ex.Field.Length == 0 ? "body" : ex.Field, ex.Message);
        }

        Log.BackendAdded(logger, view.Name, view.Host, view.Port, view.Weight);
        store.BackendAdded(options);
        store.BackendChanged(view.Name);
        IResult created = Results.Created($"/api/backends/{Uri.EscapeDataString(view.Name)}", BackendResource.From(view, rates.Rate(view.Name)));
        return await store.SaveAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) ? created : Problems.NotSaved(store.Path);
    }

    internal static async Task<IResult> RemoveAsync(
        string name, HttpRequest request, ProxyControl control, RuntimeStateStore store, ILogger<AdminServer> logger, string? wait = null)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(30);
        if (wait is not null)
        {
            if (!Duration.TryParse(wait, out Duration parsed) || parsed.Value < TimeSpan.Zero || parsed.Value > TimeSpan.FromHours(1))
            {
                return Problems.Invalid("wait", "must be a duration from 0s to 1h, such as \"30s\"");
            }

            timeout = parsed.Value;
        }

        BackendRemoval removal;
        try
        {
            removal = await control.RemoveBackendAsync(name, timeout, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            return UnknownBackend(name);
        }
        catch (BackendChangeException ex)
        {
            return Problems.Invalid("name", ex.Message);
        }

        if (!removal.Removed)
        {
            return Results.Problem(detail: removal.Reason, statusCode: StatusCodes.Status409Conflict, title: "Backend still in use");
        }

        Log.BackendRemoved(logger, removal.Name, removal.Waited.TotalMilliseconds);
        store.BackendRemoved(removal.Name);
        IResult ok = Results.Ok(removal);
        return await store.SaveAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) ? ok : Problems.NotSaved(store.Path);
    }

    internal static IResult UnknownBackend(string name) =>
        Problems.NotFound("Unknown backend", $"no backend named '{name}' (GET /api/backends lists them)");
}
