using System.Net;
using System.Net.Http.Headers;
using MySqlProxy.Admin.Auth;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>The bearer token guards every path but the probes; a wrong or missing one gets 401, an unset one 403.</summary>
public sealed class AuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly (string Method, string Path)[] s_guardedPaths =
    [
        ("GET", "/api/backends"),
        ("GET", "/api/backends/db2"),
        ("PATCH", "/api/backends/db2"),
        ("POST", "/api/backends"),
        ("DELETE", "/api/backends/db2"),
        ("GET", "/api/routing"),
        ("PUT", "/api/routing"),
        ("GET", "/api/routing/explain?sql=SELECT%201"),
        ("POST", "/api/routing/explain"),
        ("GET", "/api/rules"),
        ("POST", "/api/rules"),
        ("DELETE", "/api/rules/0"),
        ("GET", "/api/sessions/pinned"),
        ("GET", "/api/queries"),
        ("DELETE", "/api/queries"),
        ("GET", "/metrics"),
        ("GET", "/openapi/v1.json"),
        ("GET", "/no/such/path"),
    ];

    [Fact(Timeout = 60_000)]
    public async Task EveryGuardedPath_WithoutOrWithWrongToken_Is401WithProblemAndChallenge()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        foreach ((string method, string path) in s_guardedPaths)
        {
            foreach (string? token in new[] { null, "wrong", AdminInstance.Token + "x", AdminInstance.Token[..^1] })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using HttpResponseMessage response = await proxy.Anonymous.SendAsync(request, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with token '{token}': {(int)response.StatusCode}");
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await AdminInstance.ReadAsync(response, 401, Ct);
                Assert.Equal(401, problem.GetProperty("status").GetInt32());
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task OtherScheme_Basic_Is401()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/backends");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", AdminInstance.Token);

        using HttpResponseMessage response = await proxy.Anonymous.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task RightToken_Is200()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        foreach (string path in new[] { "/api/backends", "/api/routing", "/api/rules", "/api/sessions/pinned", "/metrics", "/openapi/v1.json" })
        {
            using HttpResponseMessage response = await proxy.Http.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }

        // The scheme is case-insensitive (RFC 6750).
        using var lower = new HttpRequestMessage(HttpMethod.Get, "/api/backends");
        lower.Headers.TryAddWithoutValidation("Authorization", "bearer " + AdminInstance.Token);
        using HttpResponseMessage lowerResponse = await proxy.Anonymous.SendAsync(lower, Ct);
        Assert.Equal(HttpStatusCode.OK, lowerResponse.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Probes_WithoutToken_Answer()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        using HttpResponseMessage healthz = await proxy.Anonymous.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("ok", (await healthz.Content.ReadAsStringAsync(Ct)).Trim());

        using HttpResponseMessage readyz = await proxy.Anonymous.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task EmptyToken_RefusesEveryGuardedPath_ProbesStillAnswer()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync(o => o.Admin.Token = string.Empty);
        foreach (string? token in new[] { null, string.Empty, "anything" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/backends");
            if (token is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            }

            using HttpResponseMessage response = await proxy.Anonymous.SendAsync(request, Ct);
            var problem = await AdminInstance.ReadAsync(response, 403, Ct);
            Assert.Contains("admin.token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using HttpResponseMessage metrics = await proxy.Anonymous.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
        using HttpResponseMessage healthz = await proxy.Anonymous.GetAsync("/healthz", Ct);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
    }

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER  abc ", "abc")]
    [InlineData("Bearer", null)]
    [InlineData("Bearer ", null)]
    [InlineData("Bearerabc", null)]
    [InlineData("Basic abc", null)]
    [InlineData("", null)]
    public void TokenOf_Header_ReadsTheBearerToken(string header, string? expected) =>
        Assert.Equal(expected, BearerTokenMiddleware.TokenOf(header));
}
