namespace MySqlProxy.IntegrationTests.Pooling;

/// <summary>A statement prepared with COM_STMT_PREPARE: the id the client was given and its shape.</summary>
internal readonly record struct RawStatement(uint Id, int Columns, int Parameters);
