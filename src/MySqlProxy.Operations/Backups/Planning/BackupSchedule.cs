using Cronos;

namespace MySqlProxy.Operations.Backups.Planning;

/// <summary>One scheduled run from <c>backups.schedules</c>: a kind (full, incremental, verify) and a cron expression in UTC.</summary>
public sealed class BackupSchedule
{
    private readonly CronExpression _cron;

    private BackupSchedule(string type, string text, CronExpression cron)
    {
        Type = type;
        Text = text;
        _cron = cron;
    }

    public string Type { get; }

    public string Text { get; }

    /// <summary>Parses 5 fields (minute first) or 6 (seconds first); the error names what is wrong.</summary>
    public static BackupSchedule Parse(string type, string cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        if (type is not ("full" or "incremental" or "verify"))
        {
            throw new FormatException($"type '{type}' is not full, incremental or verify");
        }

        int fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            CronExpression expression = CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return new BackupSchedule(type, cron, expression);
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"'{cron}' is not a cron expression: {ex.Message}", ex);
        }
    }

    /// <summary>The first time strictly after <paramref name="after"/> the schedule is due, or null.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _cron.GetNextOccurrence(after, TimeZoneInfo.Utc);

    public override string ToString() => $"{Type} '{Text}'";
}
