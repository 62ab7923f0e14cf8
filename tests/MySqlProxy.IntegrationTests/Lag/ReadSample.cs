namespace MySqlProxy.IntegrationTests.Lag;

/// <summary>One read of a <see cref="ReadLoad"/>: when it started and ended (since the load's origin), where it ran, or its error.</summary>
internal readonly record struct ReadSample(TimeSpan Start, TimeSpan End, long ServerId, string? Error)
{
    public bool Failed => Error is not null;
}
