using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace MySqlProxy.Admin.Http;

/// <summary>RFC 7807 problem details the admin endpoint answers with; each names the field or thing at fault.</summary>
internal static class Problems
{
    /// <summary>400 naming one field.</summary>
    public static IResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>400 naming every field at fault.</summary>
    public static IResult Invalid(IDictionary<string, string[]> errors)
    {
        string detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        return Results.ValidationProblem(errors, detail: detail, title: "The request has invalid values");
    }

    /// <summary>404 for a thing that does not exist.</summary>
    public static IResult NotFound(string title, string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: title);

    /// <summary>501 for a contract path the proxy cannot serve yet.</summary>
    public static IResult NotImplemented(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status501NotImplemented, title: "Not supported yet");

    /// <summary>500 for a change that is in force but could not be written to the run-time settings file.</summary>
    public static IResult NotSaved(string? path) => Results.Problem(
        detail: $"the change is in force but could not be saved to {path}, so it will not survive a restart (see the proxy's log)",
        statusCode: StatusCodes.Status500InternalServerError,
        title: "Change not persisted");

    /// <summary>Adds what to do to the framework's own problems (wrong content type, unknown path or method).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ProblemDetails problem = context.ProblemDetails;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status415UnsupportedMediaType => "send the body as JSON with the header 'Content-Type: application/json'",
            StatusCodes.Status404NotFound => $"no admin path {context.HttpContext.Request.Path} (the OpenAPI document at /openapi/v1.json lists them)",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}",
            _ => null,
        };
    }
}
