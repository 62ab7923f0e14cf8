using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>The backup paths' answers that need no backup to run: not configured, bad bodies, strict refusals, an empty repository.</summary>
public sealed class BackupsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NotConfigured_Answers409_SayingWhatToSet()
    {
        await using AdminInstance admin = await AdminInstance.StartAsync(needsTopology: false);
        HttpResponseMessage response = await admin.Http.PostAsJsonAsync("api/backups", new { type = "full" }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("backups.repository", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.GetAsync("api/backups", Ct)).StatusCode);
    }

    [Fact]
    public async Task Configured_EmptyRepository_ValidatesBodies_AndRefusesUncoveredTargets()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mpx-api-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string key = Path.Combine(dir, "key");
        await File.WriteAllBytesAsync(key, RandomNumberGenerator.GetBytes(32), Ct);
        try
        {
            await using AdminInstance admin = await AdminInstance.StartAsync(o =>
            {
                o.Backups.Repository.Path = Path.Combine(dir, "repo");
                o.Backups.Encryption.KeyFile = key;
                o.Backups.WorkDir = Path.Combine(dir, "work");
            }, needsTopology: false);

            Assert.Equal("[]", await admin.Http.GetStringAsync("api/backups", Ct));

            HttpResponseMessage bad = await admin.Http.PostAsJsonAsync("api/backups", new { type = "weekly" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("\"type\"", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            HttpResponseMessage unknown = await admin.Http.PostAsJsonAsync("api/backups", new { type = "full", level = 1 }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("\"level\"", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            HttpResponseMessage noTarget = await admin.Http.PostAsJsonAsync("api/restores", new { backup = "20261124-101500F" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, noTarget.StatusCode);
            Assert.Contains("\"target_dir\"", await noTarget.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            HttpResponseMessage badGtid = await admin.Http.PostAsJsonAsync("api/restores", new { gtid = "zero", target_dir = "/var/tmp/x" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, badGtid.StatusCode);
            Assert.Contains("\"gtid\"", await badGtid.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            HttpResponseMessage nothing = await admin.Http.PostAsJsonAsync("api/restores", new { time = "2026-11-24T10:00:00Z", target_dir = "/var/tmp/x" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
            string refusal = await nothing.Content.ReadAsStringAsync(Ct);
            Assert.Contains("\"time\"", refusal, StringComparison.Ordinal);
            Assert.Contains("no backup", refusal, StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PostAsync("api/backups/20261124-101500F/verify", null, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("api/backups/20261124-101500F", Ct)).StatusCode);
            Assert.Contains("\"files\":0", await admin.Http.GetStringAsync("api/backups/archive", Ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await admin.Anonymous.GetAsync("api/backups", Ct)).StatusCode);
            Assert.Contains("mysqlproxy_jobs_active", await admin.Http.GetStringAsync("metrics", Ct), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
