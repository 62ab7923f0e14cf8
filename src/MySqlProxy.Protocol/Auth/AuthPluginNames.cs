namespace MySqlProxy.Protocol;

/// <summary>Names of the authentication plugins the proxy meets in handshakes.</summary>
public static class AuthPluginNames
{
    /// <summary>https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html</summary>
    public const string NativePassword = "mysql_native_password";

    /// <summary>MySQL 8's default (https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html).</summary>
    public const string CachingSha2Password = "caching_sha2_password";

    public const string Sha256Password = "sha256_password";

    /// <summary>MariaDB's ed25519 (https://mariadb.com/kb/en/authentication-plugin-ed25519/).</summary>
    public const string Ed25519 = "client_ed25519";

    public const string ClearPassword = "mysql_clear_password";
}
