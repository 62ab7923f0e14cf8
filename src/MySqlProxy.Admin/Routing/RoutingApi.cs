using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Diagnostics;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Persistence;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Control;

namespace MySqlProxy.Admin.Routing;

/// <summary><c>/api/routing</c>: the routing settings, and where a statement would go now and why.</summary>
internal static class RoutingApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        RouteGroupBuilder group = api.MapGroup("/routing").WithTags("Routing");
        group.MapGet(string.Empty, Get)
            .WithSummary("The routing settings in force (the routing section of proxy.yaml, with changes made here)")
            .Produces<RoutingResource>();
        group.MapPut(string.Empty, PutAsync)
            .WithSummary("Puts routing settings in force for the next statement; keys left out keep their value, rules (when given) replace the list")
            .Accepts<RoutingResource>("application/json")
            .Produces<RoutingResource>()
            .ProducesValidationProblem();
        group.MapGet("/explain", Explain)
            .WithSummary("Where the statement in ?sql= would go now for a fresh session, and why")
            .Produces<RouteExplanation>()
            .ProducesValidationProblem();
        group.MapPost("/explain", ExplainAsync)
            .WithSummary("Where the statement {\"sql\": ...} would go now for a fresh session, and why")
            .Accepts<ExplainRequest>("application/json")
            .Produces<RouteExplanation>()
            .ProducesValidationProblem();
    }

    internal static IResult Get(ProxyControl control) => Results.Ok(RoutingResource.From(control.Routing()));

    internal static async Task<IResult> PutAsync(HttpRequest request, ProxyControl control, RuntimeStateStore store, ILogger<AdminServer> logger)
    {
        (RoutingResource? body, IResult? problem) = await RequestBody.ReadAsync<RoutingResource>(request, RoutingResource.Expected).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        if (body.Rules is { } rules && rules.Any(r => r is null))
        {
            return Problems.Invalid("rules", RoutingResource.Expected["rules"]);
        }

        RoutingOptions routing = body.ApplyTo(control.Routing());
        try
        {
            control.UpdateRouting(routing);
        }
        catch (ArgumentException ex)
        {
            return Problems.Invalid(RoutingErrors.Parse(ex));
        }

        Log.RoutingChanged(logger, routing.MaxReplicaLag.ToString(), routing.ReadYourWrites, routing.ReadsOnPrimary.ToString().ToLowerInvariant(), routing.Rules.Count);
        store.RoutingChanged();
        IResult ok = Results.Ok(RoutingResource.From(control.Routing()));
        return await store.SaveAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) ? ok : Problems.NotSaved(store.Path);
    }

    internal static IResult Explain(string? sql, string? user, string? schema, ProxyControl control) =>
        ExplainCore(sql, user, schema, control);

    internal static async Task<IResult> ExplainAsync(HttpRequest request, ProxyControl control)
    {
        (ExplainRequest? body, IResult? problem) = await RequestBody.ReadAsync<ExplainRequest>(request, ExplainRequest.Expected).ConfigureAwait(false);
        return body is null ? problem! : ExplainCore(body.Sql, body.User, body.Schema, control);
    }

    private static IResult ExplainCore(string? sql, string? user, string? schema, ProxyControl control)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            return Problems.Invalid("sql", "required: the statement to explain");
        }

        return Results.Ok(control.Explain(sql, user ?? string.Empty, string.IsNullOrEmpty(schema) ? null : schema));
    }
}
