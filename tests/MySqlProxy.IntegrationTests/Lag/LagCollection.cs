namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>
/// The tests that disturb replication (a stopped SQL thread, delayed or broken replication, a killed replica):
/// they run alone, one after the other, after every parallel test, and each restores the topology before it ends. The
/// <see cref="ReplicationLock"/> keeps another test run on the same topology from doing the same at the same time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LagCollection : ICollectionFixture<ReplicationLock>
{
    public const string Name = "lag";
}
