using Microsoft.Extensions.Logging.Abstractions;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Tests.Jobs;

public sealed class JobManagerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnexpectedException_FailsTheJob_NamingTypeAndStep()
    {
        await using var jobs = new JobManager(NullLogger.Instance);
        Job job = jobs.Start("backup", null, null, j =>
        {
            j.SetStep("uploading");
            throw new IOException("disk full");
        });
        await job.Finished.WaitAsync(Ct);
        JobSnapshot s = job.Snapshot();
        Assert.Equal(JobState.Failed, s.State);
        Assert.Equal("uploading", s.FailedStep);
        Assert.Equal("IOException: disk full", s.Error);
        Assert.Equal(1, jobs.Counts()[("backup", JobState.Failed)]);
    }

    [Fact]
    public async Task Stop_CancelsActiveJobs_AndRefusesNewOnes()
    {
        var jobs = new JobManager(NullLogger.Instance);
        Job job = jobs.Start("verify", null, null, async j =>
        {
            await Task.Delay(Timeout.Infinite, j.CancellationToken);
            return null;
        });
        await jobs.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(JobState.Cancelled, job.State);
        Assert.Throws<JobConflictException>(() => jobs.Start("verify", null, null, _ => Task.FromResult<object?>(null)));
    }

    [Fact]
    public async Task Ids_SortByTime_AndCarryTheKind()
    {
        await using var jobs = new JobManager(NullLogger.Instance);
        Job a = jobs.Start("backup", null, null, _ => Task.FromResult<object?>(null));
        await a.Finished.WaitAsync(Ct);
        Assert.StartsWith("backup-", a.Id, StringComparison.Ordinal);
        Assert.Matches(@"^backup-\d{8}T\d{6}Z-[0-9a-f]{6}$", a.Id);
        Assert.Same(a, jobs.Find(a.Id));
    }
}
