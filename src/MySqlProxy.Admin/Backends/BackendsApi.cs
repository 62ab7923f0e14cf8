using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Diagnostics;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Persistence;
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
        group.MapPost(string.Empty, Add)
            .WithSummary("Adding a backend at run time is not supported yet (restart with it in proxy.yaml)")
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        group.MapDelete("/{name}", Remove)
            .WithSummary("Removing a backend at run time is not supported yet (drain it, then restart without it)")
            .ProducesProblem(StatusCodes.Status501NotImplemented);
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

    internal static IResult Add() => Problems.NotImplemented(
        "Adding a backend at run time is not supported yet: add it under backends.replicas in proxy.yaml and restart the proxy.");

    internal static IResult Remove(string name) => Problems.NotImplemented(
        $"Removing a backend at run time is not supported yet: set {name} to draining (PATCH /api/backends/{name} {{\"state\": \"draining\"}}) so its pinned sessions finish, then remove it from proxy.yaml and restart the proxy.");

    internal static IResult UnknownBackend(string name) =>
        Problems.NotFound("Unknown backend", $"no backend named '{name}' (GET /api/backends lists them)");
}
