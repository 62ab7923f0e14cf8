using System.Globalization;
using MySqlConnector;

namespace MySqlProxy.Operations.Replicas;

/// <summary>
/// How one column is read on the primary and loaded on the target. Most go as they are; BIT values arrive as
/// numbers and LOAD DATA would store their text, so they go through a variable and CAST; DECIMALs wider than .NET's
/// decimal (28 digits) are read as text.
/// </summary>
internal readonly record struct ColumnCopy(string Select, MySqlBulkCopyColumnMapping Mapping)
{
    /// <summary>The widest DECIMAL that <see cref="decimal"/> holds without loss.</summary>
    public const int MaxDecimalDigits = 28;

    public static ColumnCopy For(string name, string dataType, long precision, int ordinal)
    {
        string column = Sql.Id(name);
        if (string.Equals(dataType, "bit", StringComparison.OrdinalIgnoreCase))
        {
            string variable = string.Create(CultureInfo.InvariantCulture, $"@c{ordinal}");
            return new ColumnCopy(column, new MySqlBulkCopyColumnMapping(ordinal, variable, $"{column} = CAST({variable} AS UNSIGNED)"));
        }

        if (string.Equals(dataType, "decimal", StringComparison.OrdinalIgnoreCase) && precision > MaxDecimalDigits)
        {
            return new ColumnCopy($"CAST({column} AS CHAR) AS {column}", new MySqlBulkCopyColumnMapping(ordinal, name));
        }

        // MySqlBulkCopy quotes a destination column name itself.
        return new ColumnCopy(column, new MySqlBulkCopyColumnMapping(ordinal, name));
    }
}
