using System.Net;
using System.Text.Json;
using MySqlProxy.Admin.Tests.Infrastructure;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Admin.Tests;

/// <summary>/api/jobs: progress of long work, its end (naming the failed step), cancel, and chains that never overlap.</summary>
public sealed class JobsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task RunningJob_ShowsStepAndPercent_ThenSucceedsWithResult()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync(o => o.Backends.Primary.Port = 1, needsTopology: false);
        var release = new TaskCompletionSource();
        Job job = proxy.Admin.Jobs.Start("test", chain: null, new Dictionary<string, string> { ["what"] = "x" }, async j =>
        {
            j.SetStep("copying");
            j.SetTotal(1000);
            j.AddBytes(250);
            await release.Task.WaitAsync(j.CancellationToken);
            return new { copied = 1000 };
        });

        JsonElement running = await PollAsync(proxy, job.Id, e => e.GetProperty("step").GetString() == "copying");
        Assert.Equal("running", running.GetProperty("state").GetString());
        Assert.Equal(25.0, running.GetProperty("percent").GetDouble());
        Assert.Equal(250, running.GetProperty("bytes").GetInt64());
        Assert.Equal("test", running.GetProperty("kind").GetString());

        release.SetResult();
        JsonElement done = await PollAsync(proxy, job.Id, e => e.GetProperty("state").GetString() != "running");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(100.0, done.GetProperty("percent").GetDouble());
        Assert.Equal(1000, done.GetProperty("result").GetProperty("copied").GetInt32());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error").ValueKind);

        JsonElement list = JsonDocument.Parse(await proxy.Http.GetStringAsync("/api/jobs?kind=test", Ct)).RootElement;
        Assert.Equal(job.Id, list[0].GetProperty("id").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task FailedJob_NamesTheStep_AndDeleteCancelsARunningOne()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync(o => o.Backends.Primary.Port = 1, needsTopology: false);
        Job failing = proxy.Admin.Jobs.Start("test", null, null, j =>
        {
            j.SetStep("checking the target");
            throw new JobFailedException("the target is not empty");
        });
        JsonElement failed = await PollAsync(proxy, failing.Id, e => e.GetProperty("state").GetString() != "running" && e.GetProperty("state").GetString() != "queued");
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Equal("checking the target", failed.GetProperty("failed_step").GetString());
        Assert.Equal("the target is not empty", failed.GetProperty("error").GetString());

        Job slow = proxy.Admin.Jobs.Start("test", "chain-a", null, async j =>
        {
            j.SetStep("waiting");
            await Task.Delay(Timeout.Infinite, j.CancellationToken);
            return null;
        });
        Assert.Throws<JobConflictException>(() => proxy.Admin.Jobs.Start("test", "chain-a", null, _ => Task.FromResult<object?>(null)));

        using HttpResponseMessage cancel = await proxy.Http.DeleteAsync($"/api/jobs/{slow.Id}", Ct);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        JsonElement cancelled = await PollAsync(proxy, slow.Id, e => e.GetProperty("state").GetString() == "cancelled");
        Assert.Equal("waiting", cancelled.GetProperty("failed_step").GetString());

        using HttpResponseMessage again = await proxy.Http.DeleteAsync($"/api/jobs/{slow.Id}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using HttpResponseMessage unknown = await proxy.Http.GetAsync("/api/jobs/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using HttpResponseMessage anonymous = await proxy.Anonymous.GetAsync($"/api/jobs/{slow.Id}", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        string metrics = await proxy.Http.GetStringAsync("/metrics", Ct);
        Assert.Contains("mysqlproxy_jobs_total{kind=\"test\",state=\"failed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mysqlproxy_jobs_total{kind=\"test\",state=\"cancelled\"} 1", metrics, StringComparison.Ordinal);

        // The chain is free again once its job ended.
        Job next = proxy.Admin.Jobs.Start("test", "chain-a", null, _ => Task.FromResult<object?>(null));
        await next.Finished.WaitAsync(Ct);
        Assert.Equal(JobState.Succeeded, next.State);
    }

    private static async Task<JsonElement> PollAsync(AdminInstance proxy, string id, Func<JsonElement, bool> until)
    {
        while (true)
        {
            JsonElement job = JsonDocument.Parse(await proxy.Http.GetStringAsync($"/api/jobs/{id}", Ct)).RootElement;
            if (until(job))
            {
                return job;
            }

            await Task.Delay(20, Ct);
        }
    }
}
