namespace MySqlProxy.Operations.Replicas;

/// <summary>How a new replica gets the primary's data.</summary>
public enum SeedMethod
{
    /// <summary>Physical when a datadir and a defaults file are given, else logical.</summary>
    Auto,

    /// <summary>A consistent snapshot read over the MySQL protocol and loaded with LOAD DATA LOCAL (MySqlBulkCopy).</summary>
    Logical,

    /// <summary>A fresh mariadb-backup of the primary streamed into the new server's datadir, prepared and started.</summary>
    Physical,
}
