using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Operations.Jobs;
using Yarp.ReverseProxy.Forwarder;

namespace MySqlProxy.Admin.Backups;

/// <summary>
/// Sends the backup paths (<c>/api/backups...</c>, <c>/api/restores</c>, and <c>/api/jobs/{id}</c> of jobs this
/// process does not know) to the agent on the database host (<c>backups.agent.url</c>) with YARP's direct
/// forwarding, replacing the operator's admin token with the agent's token (<c>backups.agent.token</c>).
/// </summary>
internal sealed class AgentForwarder : IDisposable
{
    private static readonly string[] AgentJobKinds = ["backup-", "verify-", "restore-", "archive-"];

    private readonly string _destination;
    private readonly HttpMessageInvoker _client;
    private readonly TokenTransformer _transformer;

    public AgentForwarder(BackupAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _destination = options.Url.TrimEnd('/');
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });
        _transformer = new TokenTransformer(options.Token);
    }

    /// <summary>True for a request the agent serves.</summary>
    public static bool Handles(HttpContext context, JobManager localJobs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(localJobs);
        PathString path = context.Request.Path;
        if (path.StartsWithSegments("/api/backups", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/restores", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (path.StartsWithSegments("/api/jobs", StringComparison.OrdinalIgnoreCase, out PathString rest) && rest.Value is { Length: > 1 } id)
        {
            id = Uri.UnescapeDataString(id[1..]);
            return localJobs.Find(id) is null && AgentJobKinds.Any(k => id.StartsWith(k, StringComparison.Ordinal));
        }

        return false;
    }

    public async Task ForwardAsync(HttpContext context, IHttpForwarder forwarder)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(forwarder);
        ForwarderError error = await forwarder.SendAsync(context, _destination, _client, ForwarderRequestConfig.Empty, _transformer).ConfigureAwait(false);
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            string detail = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await Results.Problem(
                detail: $"the backup agent at {_destination} (backups.agent.url) did not answer: {detail}",
                statusCode: StatusCodes.Status502BadGateway,
                title: "Backup agent unreachable").ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    public void Dispose() => _client.Dispose();

    private sealed class TokenTransformer(string token) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }
}
