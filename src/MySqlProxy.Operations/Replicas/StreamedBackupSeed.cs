using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Replicas;

/// <summary>Physical seed (placeholder while the logical seed is brought up).</summary>
public sealed class StreamedBackupSeed : ISeedSource
{
    public string Name => "physical";

    public Task<SeedResult> SeedAsync(SeedContext context, CancellationToken ct) => throw new JobFailedException("physical seed: not yet");

    public Task CleanUpAsync(SeedContext context, CancellationToken ct) => Task.CompletedTask;
}
