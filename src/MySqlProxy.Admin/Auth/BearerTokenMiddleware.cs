using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Diagnostics;

namespace MySqlProxy.Admin.Auth;

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;admin.token&gt;</c>, except the probes
/// <c>/healthz</c> and <c>/readyz</c>. The token is compared in constant time: both sides are hashed first, so
/// neither the content nor the length of the expected token leaks through timing. With no token configured,
/// every guarded path is refused (403): an empty token is never a password.
/// </summary>
internal sealed class BearerTokenMiddleware
{
    private const string Scheme = "Bearer";

    private readonly RequestDelegate _next;
    private readonly byte[]? _expectedHash;
    private readonly ILogger _logger;

    public BearerTokenMiddleware(RequestDelegate next, string token, ILogger logger)
    {
        _next = next;
        _expectedHash = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _logger = logger;
    }

    /// <summary>Paths that need no token: the process and readiness probes.</summary>
    public static bool IsAnonymous(PathString path) =>
        path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) || path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsAnonymous(context.Request.Path))
        {
            return _next(context);
        }

        if (_expectedHash is null)
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "Admin endpoint disabled",
                "admin.token is empty: the admin endpoint refuses every path but /healthz and /readyz until a token is set in the configuration", null);
        }

        string? given = TokenOf(context.Request.Headers.Authorization.ToString());
        if (given is null)
        {
            return RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "this path needs the header 'Authorization: Bearer <admin.token>'", $"{Scheme} realm=\"mysqlproxy\"");
        }

        byte[] givenHash = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        if (!CryptographicOperations.FixedTimeEquals(givenHash, _expectedHash))
        {
            return RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "the bearer token is not admin.token", $"{Scheme} realm=\"mysqlproxy\", error=\"invalid_token\"");
        }

        return _next(context);
    }

    /// <summary>The token of an <c>Authorization: Bearer x</c> header (scheme case-insensitive, RFC 6750), or null.</summary>
    internal static string? TokenOf(string header)
    {
        if (header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header[Scheme.Length] != ' ')
        {
            return null;
        }

        string token = header[(Scheme.Length + 1)..].Trim();
        return token.Length == 0 ? null : token;
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail, string? challenge)
    {
        Log.AdminUnauthorized(_logger, context.Request.Method, context.Request.Path.ToString(), context.Connection.RemoteIpAddress?.ToString(), detail);
        if (challenge is not null)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
    }
}
