using System.Globalization;
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

/// <summary><c>/api/rules</c>: the query rules in force, in order; add one (at the end or at an index), remove one.</summary>
internal static class RulesApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        RouteGroupBuilder group = api.MapGroup("/rules").WithTags("Rules");
        group.MapGet(string.Empty, List)
            .WithSummary("The rules in force, in order (the first that matches decides; a comment hint still wins)")
            .Produces<RuleResource[]>();
        group.MapGet("/{index}", Get)
            .WithSummary("One rule by position")
            .Produces<RuleResource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost(string.Empty, AddAsync)
            .WithSummary("Adds a rule at the end, or at ?index=; takes effect on the next statement")
            .Accepts<RuleBody>("application/json")
            .Produces<RuleResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        group.MapDelete("/{index}", RemoveAsync)
            .WithSummary("Removes the rule at this position; the ones after it move up")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static IResult List(ProxyControl control)
    {
        IReadOnlyList<RuleOptions> rules = control.Rules();
        return Results.Ok(rules.Select((r, i) => RuleResource.From(i, r)).ToArray());
    }

    internal static IResult Get(string index, ProxyControl control)
    {
        if (!TryIndex(index, out int i, out IResult? problem))
        {
            return problem;
        }

        IReadOnlyList<RuleOptions> rules = control.Rules();
        return i < rules.Count ? Results.Ok(RuleResource.From(i, rules[i])) : NoRule(i, rules.Count);
    }

    internal static async Task<IResult> AddAsync(HttpRequest request, string? index, ProxyControl control, RuntimeStateStore store, ILogger<AdminServer> logger)
    {
        int? at = null;
        if (index is not null)
        {
            if (!TryIndex(index, out int i, out IResult? indexProblem))
            {
                return indexProblem;
            }

            at = i;
        }

        (RuleBody? body, IResult? problem) = await RequestBody.ReadAsync<RuleBody>(request, RuleBody.Expected).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        if (string.IsNullOrEmpty(body.Route))
        {
            return Problems.Invalid("route", "required: primary, replica or a backend name");
        }

        RuleOptions rule = body.ToOptions();
        try
        {
            control.AddRule(rule, at);
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ParamName == "index")
        {
            return Problems.Invalid("index", $"must be 0-{control.Rules().Count} (the position the new rule takes)");
        }
        catch (ArgumentException ex)
        {
            // The Core names the rule by its place in the list; the request knows it as the rule it sent.
            return Problems.Invalid(RoutingErrors.Parse(ex, key => RuleField(key)));
        }

        int position = IndexOf(control.Rules(), rule);
        Log.RuleAdded(logger, position, rule.ToString());
        store.RoutingChanged();
        IResult created = Results.Created($"/api/rules/{position}", RuleResource.From(position, rule));
        return await store.SaveAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) ? created : Problems.NotSaved(store.Path);
    }

    internal static async Task<IResult> RemoveAsync(string index, HttpRequest request, ProxyControl control, RuntimeStateStore store, ILogger<AdminServer> logger)
    {
        if (!TryIndex(index, out int i, out IResult? problem))
        {
            return problem;
        }

        IReadOnlyList<RuleOptions> before = control.Rules();
        try
        {
            control.RemoveRule(i);
        }
        catch (KeyNotFoundException)
        {
            return NoRule(i, before.Count);
        }

        Log.RuleRemoved(logger, i, i < before.Count ? before[i].ToString() : "?");
        store.RoutingChanged();
        return await store.SaveAsync(request.HttpContext.RequestAborted).ConfigureAwait(false) ? Results.NoContent() : Problems.NotSaved(store.Path);
    }

    private static bool TryIndex(string text, out int index, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IResult? problem)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            problem = null;
            return true;
        }

        problem = Problems.Invalid("index", $"'{text}' is not a rule position (a whole number from 0)");
        return false;
    }

    private static IResult NoRule(int index, int count) =>
        Problems.NotFound("Unknown rule", $"no rule at index {index} (there are {count}; GET /api/rules lists them)");

    /// <summary><c>rules[3].match</c> is <c>match</c> for the rule being added; other keys stay as they are.</summary>
    private static string RuleField(string key)
    {
        if (!key.StartsWith("rules[", StringComparison.Ordinal))
        {
            return key;
        }

        int end = key.IndexOf(']', StringComparison.Ordinal);
        return end + 2 < key.Length && key[end + 1] == '.' ? key[(end + 2)..] : "rule";
    }

    private static int IndexOf(IReadOnlyList<RuleOptions> rules, RuleOptions rule)
    {
        for (int i = 0; i < rules.Count; i++)
        {
            if (ReferenceEquals(rules[i], rule))
            {
                return i;
            }
        }

        return rules.Count - 1;
    }
}
