using Microsoft.Extensions.Logging;
using MySqlProxy.Operations.Jobs;

namespace MySqlProxy.Operations.Replicas;

/// <summary>
/// Where a new replica's data comes from. It leaves the target holding the primary's data as of one GTID
/// position, which it returns; the set-up then replicates from there. Implementations: <see cref="LogicalSeed"/>
/// (consistent snapshot over the MySQL protocol) and <see cref="StreamedBackupSeed"/> (a fresh mariadb-backup
/// streamed from the primary). A seed from the latest verified backup plus archived binlogs plugs in here too.
/// </summary>
public interface ISeedSource
{
    /// <summary>A short name for the job's steps and result (logical, physical, backup).</summary>
    string Name { get; }

    /// <summary>
    /// Copies the data. Reports progress through <see cref="SeedContext.Job"/> (steps, bytes). Throws
    /// <see cref="JobFailedException"/> for a failure the operator can act on.
    /// </summary>
    Task<SeedResult> SeedAsync(SeedContext context, CancellationToken ct);

    /// <summary>Puts the target back as it was found when the set-up fails after seeding started (best effort).</summary>
    Task CleanUpAsync(SeedContext context, CancellationToken ct);
}

/// <summary>What a seed works with.</summary>
/// <param name="Job">The job to report progress to.</param>
/// <param name="Primary">The primary and the administrative login used there.</param>
/// <param name="Target">The new server and the login used there.</param>
/// <param name="Request">The whole request.</param>
/// <param name="WorkDir">Scratch space on this host.</param>
/// <param name="Logger">Where to log.</param>
public sealed record SeedContext(Job Job, ServerLogin Primary, ServerLogin Target, ReplicaSetupRequest Request, string WorkDir, ILogger Logger);

/// <summary>What a seed produced.</summary>
/// <param name="GtidPosition">The primary's GTID position the copied data corresponds to (the new replica's gtid_slave_pos).</param>
/// <param name="Bytes">Bytes copied.</param>
/// <param name="Tables">Tables copied (logical) or 0.</param>
/// <param name="Rows">Rows copied (logical) or 0.</param>
public sealed record SeedResult(string GtidPosition, long Bytes, int Tables, long Rows);
