namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>
/// Tests that measure the whole primary (its connection count, its prepared statement count): they run alone,
/// after the parallel tests, so that nothing else in the run changes what they count.
/// </summary>
[CollectionDefinition(nameof(ServerWideCollection), DisableParallelization = true)]
public sealed class ServerWideCollection;
