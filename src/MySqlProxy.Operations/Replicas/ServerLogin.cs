using System.Globalization;
using MySqlConnector;

namespace MySqlProxy.Operations.Replicas;

/// <summary>A server and the login the set-up uses on it. <see cref="ToString"/> never shows the password.</summary>
public sealed record ServerLogin(string Host, int Port, string User, string Password)
{
    /// <summary>host:port, for messages.</summary>
    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>A connection string for MySqlConnector (no pooling: every connection of a job is its own).</summary>
    public string ConnectionString(bool localInfile = false, uint commandTimeoutSeconds = 0, uint connectTimeoutSeconds = 10)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = Host,
            Port = (uint)Port,
            UserID = User,
            Password = Password,
            Pooling = false,
            ConnectionTimeout = connectTimeoutSeconds,
            DefaultCommandTimeout = commandTimeoutSeconds,
            AllowUserVariables = true,
            AllowLoadLocalInfile = localInfile,

            // Values travel unchanged: zero dates stay zero dates, TINYINT(1) stays a number, CHAR(36) a string.
            AllowZeroDateTime = true,
            ConvertZeroDateTime = false,
            TreatTinyAsBoolean = false,
            GuidFormat = MySqlGuidFormat.None,
            CharacterSet = "utf8mb4",
            UseAffectedRows = false,
        };
        return builder.ConnectionString;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{User}@{Address}");
}
