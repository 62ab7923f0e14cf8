using System.Globalization;

namespace MySqlProxy.Operations.Backups.Repository;

/// <summary>
/// Backup labels as pgBackRest makes them, sorting by time: a full is <c>20261124-101500F</c>, an incremental
/// <c>20261124-101500F_20261124-111500I</c> (its full's label, then its own time), so ordinal order is time
/// order and each label names its chain.
/// </summary>
public static class BackupLabel
{
    private const string TimeFormat = "yyyyMMdd-HHmmss";

    public static string Full(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + "F";

    public static string Incremental(string fullLabel, DateTimeOffset at) =>
        $"{fullLabel}_{at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}I";

    /// <summary>The time a label was made (its last part).</summary>
    public static DateTimeOffset TimeOf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        string last = label[(label.LastIndexOf('_') + 1)..].TrimEnd('F', 'I');
        return new DateTimeOffset(DateTime.ParseExact(last, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
    }

    /// <summary>True for a well-formed label.</summary>
    public static bool IsValid(string? label)
    {
        if (string.IsNullOrEmpty(label))
        {
            return false;
        }

        string[] parts = label.Split('_');
        return parts.Length is 1 or 2 &&
            IsPart(parts[0], 'F') &&
            (parts.Length == 1 || IsPart(parts[1], 'I'));
    }

    /// <summary>Time order (ordinal order of the labels).</summary>
    public static int Compare(string? a, string? b) => string.CompareOrdinal(a, b);

    private static bool IsPart(string part, char suffix) =>
        part.Length == TimeFormat.Length + 1 && part[^1] == suffix &&
        DateTime.TryParseExact(part[..^1], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
