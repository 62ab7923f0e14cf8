namespace MySqlProxy.Protocol.Tests.Infrastructure;

/// <summary>
/// Responses captured from MariaDB 10.11.19 (deploy/local primary) by a throwaway raw-protocol client, one entry per
/// logical packet: the payload as hex, or <c>length:first-32-bytes</c> for payloads too large to keep.
/// Keys are <c>eof/...</c> (client without CLIENT_DEPRECATE_EOF) and <c>deof/...</c> (with it).
/// </summary>
internal static class MariaDbCaptures
{
    /// <summary>A MariaDB 10.11 greeting: connection id 81, mysql_native_password, MariaDB extended capabilities 0x1D.</summary>
    public const string Greeting =
        "0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f670051000000736a387872573d6700fef72d0200ff81150000000000001d0000006f772b6b5c6a7e5d342e2921006d7973716c5f6e61746976655f70617373776f726400";

    /// <summary>The challenge in <see cref="Greeting"/>.</summary>
    public const string GreetingChallenge = "736a387872573d676f772b6b5c6a7e5d342e2921";

    /// <summary>The mysql_native_password response for password <c>app</c> to <see cref="GreetingChallenge"/>, which the server accepted.</summary>
    public const string AppPasswordResponse = "1fd46c01d6489e27810f30566a39115f7a03bf6f";

    /// <summary>
    /// The HandshakeResponse41 the mariadb 10.11 command-line client (libmariadb 3.3.20) sent to <see cref="Greeting"/> for
    /// <c>mariadb -uapp -papp -Dapp</c>: MariaDB extended capabilities, lenenc auth data, schema, plugin, attributes.
    /// </summary>
    public const string MariaDbClientHandshakeResponse =
        "8ca2bf000000100021000000000000000000000000000000000000001d00000061707000141fd46c01d6489e27810f30566a39115f7a03bf6f617070006d7973716c5f6e61746976655f70617373776f7264007f035f6f73054c696e75780c5f636c69656e745f6e616d650a6c69626d617269616462045f7069640533313933380f5f636c69656e745f76657273696f6e06332e332e3230095f706c6174666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c0c5f7365727665725f686f7374093132372e302e302e31";

    public static readonly IReadOnlyDictionary<string, CapturedResponse> Responses = new Dictionary<string, CapturedResponse>(StringComparer.Ordinal)
    {
        // COM_INIT_DB app
        ["eof/init_db"] = new(CommandCode.InitDb, false,
        [
            "00000002000000",
        ]),
        // COM_INIT_DB no_such_db
        ["eof/init_db_err"] = new(CommandCode.InitDb, false,
        [
            "ff1904233432303030556e6b6e6f776e20646174616261736520276e6f5f737563685f646227",
        ]),
        // DO 1
        ["eof/ok"] = new(CommandCode.Query, false,
        [
            "00000002000000",
        ]),
        // SELECT * FROM no_such_table
        ["eof/err"] = new(CommandCode.Query, false,
        [
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // SELECT 1 AS a, 'x' AS b
        ["eof/select1"] = new(CommandCode.Query, false,
        [
            "02",
            "036465660000000161000c3f0001000000038100000000",
            "036465660000000162000c2d0004000000fd0100270000",
            "fe00000200",
            "01310178",
            "fe00000200",
        ]),
        // SELECT id, v FROM scan_capture ORDER BY id (3 rows)
        ["eof/rows"] = new(CommandCode.Query, false,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe00002200",
            "0131036f6e65",
            "01320374776f",
            "0133057468726565",
            "fe00002200",
        ]),
        // SELECT id, v FROM scan_capture WHERE 1 = 0
        ["eof/norows"] = new(CommandCode.Query, false,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe00000200",
            "fe00000200",
        ]),
        // SELECT 1; SELECT 2
        ["eof/multi_rs"] = new(CommandCode.Query, false,
        [
            "01",
            "036465660000000131000c3f0001000000038100000000",
            "fe00000a00",
            "0131",
            "fe00000a00",
            "01",
            "036465660000000132000c3f0001000000038100000000",
            "fe00000200",
            "0132",
            "fe00000200",
        ]),
        // DO 1; DO 2; SELECT 3
        ["eof/multi_ok_ok_rs"] = new(CommandCode.Query, false,
        [
            "0000000a000000",
            "0000000a000000",
            "01",
            "036465660000000133000c3f0001000000038100000000",
            "fe00000200",
            "0133",
            "fe00000200",
        ]),
        // DO 1; SELECT * FROM no_such_table; DO 2
        ["eof/multi_ok_err"] = new(CommandCode.Query, false,
        [
            "0000000a000000",
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // CALL scan_capture_proc() (SELECT 1 AS a; SELECT 2 AS b, 3 AS c)
        ["eof/call"] = new(CommandCode.Query, false,
        [
            "01",
            "036465660000000161000c3f0001000000038100000000",
            "fe00000a00",
            "0131",
            "fe00000a00",
            "02",
            "036465660000000162000c3f0001000000038100000000",
            "036465660000000163000c3f0001000000038100000000",
            "fe00000a00",
            "01320133",
            "fe00000a00",
            "00000002000000",
        ]),
        // LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE scan_capture_load; the client sent 'a\nb\n'
        ["eof/infile"] = new(CommandCode.Query, false,
        [
            "fb782e637376",
            "000200020000002f5265636f7264733a2032202044656c657465643a20302020536b69707065643a203020205761726e696e67733a2030",
        ]),
        // SELECT REPEAT('a', 16777216) AS big: the row's first byte is 0xFE and it spans two packets
        ["eof/huge_fe"] = new(CommandCode.Query, false,
        [
            "01",
            "0364656600000003626967000c2d0000000004fb0000270000",
            "fe00000200",
            "16777215:fe00000001000000006161616161616161616161616161616161616161616161",
            "fe00000200",
        ]),
        // SELECT REPEAT('a', 16777211) AS big: the row is exactly 0xFFFFFF bytes (an empty continuation follows)
        ["eof/huge_exact"] = new(CommandCode.Query, false,
        [
            "01",
            "0364656600000003626967000c2d0000000004fb0000270000",
            "fe00000200",
            "16777215:fdfbffff61616161616161616161616161616161616161616161616161616161",
            "fe00000200",
        ]),
        // START TRANSACTION
        ["eof/begin"] = new(CommandCode.Query, false,
        [
            "00000003000000",
        ]),
        // COMMIT
        ["eof/commit"] = new(CommandCode.Query, false,
        [
            "00000002000000",
        ]),
        // COM_STMT_PREPARE SELECT ?, ?
        ["eof/prep_2_2"] = new(CommandCode.StatementPrepare, false,
        [
            "005d00000002000200000000",
            "03646566000000013f000c3f0000000000068000000000",
            "03646566000000013f000c3f0000000000068000000000",
            "fe00000200",
            "03646566000000013f000c3f0000000000068000000000",
            "03646566000000013f000c3f0000000000068000000000",
            "fe00000200",
        ]),
        // COM_STMT_PREPARE DO 1
        ["eof/prep_0_0"] = new(CommandCode.StatementPrepare, false,
        [
            "005e00000000000000000000",
        ]),
        // COM_STMT_PREPARE SELECT id, v FROM scan_capture WHERE id > ?
        ["eof/prep_1_2"] = new(CommandCode.StatementPrepare, false,
        [
            "005f00000002000100000000",
            "03646566000000013f000c3f0000000000068000000000",
            "fe00000200",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe00000200",
        ]),
        // COM_STMT_PREPARE INSERT INTO scan_capture_load VALUES (?)
        ["eof/prep_1_0"] = new(CommandCode.StatementPrepare, false,
        [
            "006000000000000100000000",
            "03646566000000013f000c3f0000000000068000000000",
            "fe00000200",
        ]),
        // COM_STMT_PREPARE SELECT 1
        ["eof/prep_0_1"] = new(CommandCode.StatementPrepare, false,
        [
            "006100000001000000000000",
            "036465660000000131000c3f0001000000038100000000",
            "fe00000200",
        ]),
        // COM_STMT_PREPARE SELECT * FROM no_such_table
        ["eof/prep_err"] = new(CommandCode.StatementPrepare, false,
        [
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // COM_STMT_PREPARE CALL scan_capture_out(?)
        ["eof/prep_call_out"] = new(CommandCode.StatementPrepare, false,
        [
            "006300000000000100000000",
            "03646566000000013f000c3f0000000000068000000000",
            "fe00000200",
        ]),
        // COM_STMT_EXECUTE of prep_1_2 with 0, no cursor (3 binary rows)
        ["eof/exec_rows"] = new(CommandCode.StatementExecute, false,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe00000200",
            "000001000000036f6e65",
            "0000020000000374776f",
            "000003000000057468726565",
            "fe00000200",
        ]),
        // COM_STMT_EXECUTE of prep_1_2 with CURSOR_TYPE_READ_ONLY
        ["eof/exec_cursor"] = new(CommandCode.StatementExecute, false,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030110000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe00004200",
        ]),
        // COM_STMT_FETCH 2 rows from that cursor
        ["eof/fetch_2"] = new(CommandCode.StatementFetch, false,
        [
            "000001000000036f6e65",
            "0000020000000374776f",
            "fe00004200",
        ]),
        // COM_STMT_FETCH 2 more rows: the last one, SERVER_STATUS_LAST_ROW_SENT
        ["eof/fetch_last"] = new(CommandCode.StatementFetch, false,
        [
            "000003000000057468726565",
            "fe00008200",
        ]),
        // COM_STMT_EXECUTE of DO 1
        ["eof/exec_ok"] = new(CommandCode.StatementExecute, false,
        [
            "00000002000000",
        ]),
        // COM_STMT_EXECUTE of CALL scan_capture_out(?): OUT parameters result set, then OK
        ["eof/exec_call_out"] = new(CommandCode.StatementExecute, false,
        [
            "01",
            "0364656603617070107363616e5f636170747572655f6f7574107363616e5f636170747572655f6f7574017801780c3f000b000000030000000000",
            "fe00000a10",
            "00002a000000",
            "fe00000a10",
            "00000002000000",
        ]),
        // COM_STMT_RESET
        ["eof/stmt_reset"] = new(CommandCode.StatementReset, false,
        [
            "00000002000000",
        ]),
        // COM_STMT_CLOSE: no response
        ["eof/stmt_close"] = new(CommandCode.StatementClose, false, []),
        // COM_FIELD_LIST scan_capture
        ["eof/field_list"] = new(CommandCode.FieldList, false,
        [
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b0000000303500000000130",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000fb",
            "fe00000200",
        ]),
        // COM_FIELD_LIST no_such_table
        ["eof/field_list_err"] = new(CommandCode.FieldList, false,
        [
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // COM_STATISTICS
        ["eof/statistics"] = new(CommandCode.Statistics, false,
        [
            "557074696d653a203533322020546872656164733a20313120205175657374696f6e733a203737313436302020536c6f7720717565726965733a203020204f70656e733a2031323020204f70656e207461626c65733a20323020205175657269657320706572207365636f6e64206176673a20313435302e313132",
        ]),
        // COM_PING
        ["eof/ping"] = new(CommandCode.Ping, false,
        [
            "00000002000000",
        ]),
        // COM_SET_OPTION MYSQL_OPTION_MULTI_STATEMENTS_ON
        ["eof/set_option"] = new(CommandCode.SetOption, false,
        [
            "fe00000200",
        ]),
        // COM_RESET_CONNECTION
        ["eof/reset_connection"] = new(CommandCode.ResetConnection, false,
        [
            "00000002000000",
        ]),
        // COM_INIT_DB app
        ["deof/init_db"] = new(CommandCode.InitDb, true,
        [
            "00000002000000",
        ]),
        // COM_INIT_DB no_such_db
        ["deof/init_db_err"] = new(CommandCode.InitDb, true,
        [
            "ff1904233432303030556e6b6e6f776e20646174616261736520276e6f5f737563685f646227",
        ]),
        // DO 1
        ["deof/ok"] = new(CommandCode.Query, true,
        [
            "00000002000000",
        ]),
        // SELECT * FROM no_such_table
        ["deof/err"] = new(CommandCode.Query, true,
        [
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // SELECT 1 AS a, 'x' AS b
        ["deof/select1"] = new(CommandCode.Query, true,
        [
            "02",
            "036465660000000161000c3f0001000000038100000000",
            "036465660000000162000c2d0004000000fd0100270000",
            "01310178",
            "fe000002000000",
        ]),
        // SELECT id, v FROM scan_capture ORDER BY id (3 rows)
        ["deof/rows"] = new(CommandCode.Query, true,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "0131036f6e65",
            "01320374776f",
            "0133057468726565",
            "fe000022000000",
        ]),
        // SELECT id, v FROM scan_capture WHERE 1 = 0
        ["deof/norows"] = new(CommandCode.Query, true,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe000002000000",
        ]),
        // SELECT 1; SELECT 2
        ["deof/multi_rs"] = new(CommandCode.Query, true,
        [
            "01",
            "036465660000000131000c3f0001000000038100000000",
            "0131",
            "fe00000a000000",
            "01",
            "036465660000000132000c3f0001000000038100000000",
            "0132",
            "fe000002000000",
        ]),
        // DO 1; DO 2; SELECT 3
        ["deof/multi_ok_ok_rs"] = new(CommandCode.Query, true,
        [
            "0000000a000000",
            "0000000a000000",
            "01",
            "036465660000000133000c3f0001000000038100000000",
            "0133",
            "fe000002000000",
        ]),
        // DO 1; SELECT * FROM no_such_table; DO 2
        ["deof/multi_ok_err"] = new(CommandCode.Query, true,
        [
            "0000000a000000",
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // CALL scan_capture_proc() (SELECT 1 AS a; SELECT 2 AS b, 3 AS c)
        ["deof/call"] = new(CommandCode.Query, true,
        [
            "01",
            "036465660000000161000c3f0001000000038100000000",
            "0131",
            "fe00000a000000",
            "02",
            "036465660000000162000c3f0001000000038100000000",
            "036465660000000163000c3f0001000000038100000000",
            "01320133",
            "fe00000a000000",
            "00000002000000",
        ]),
        // LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE scan_capture_load; the client sent 'a\nb\n'
        ["deof/infile"] = new(CommandCode.Query, true,
        [
            "fb782e637376",
            "000200020000002f5265636f7264733a2032202044656c657465643a20302020536b69707065643a203020205761726e696e67733a2030",
        ]),
        // SELECT REPEAT('a', 16777216) AS big: the row's first byte is 0xFE and it spans two packets
        ["deof/huge_fe"] = new(CommandCode.Query, true,
        [
            "01",
            "0364656600000003626967000c2d0000000004fb0000270000",
            "16777215:fe00000001000000006161616161616161616161616161616161616161616161",
            "fe000002000000",
        ]),
        // SELECT REPEAT('a', 16777211) AS big: the row is exactly 0xFFFFFF bytes (an empty continuation follows)
        ["deof/huge_exact"] = new(CommandCode.Query, true,
        [
            "01",
            "0364656600000003626967000c2d0000000004fb0000270000",
            "16777215:fdfbffff61616161616161616161616161616161616161616161616161616161",
            "fe000002000000",
        ]),
        // START TRANSACTION
        ["deof/begin"] = new(CommandCode.Query, true,
        [
            "00000003000000",
        ]),
        // COMMIT
        ["deof/commit"] = new(CommandCode.Query, true,
        [
            "00000002000000",
        ]),
        // COM_STMT_PREPARE SELECT ?, ?
        ["deof/prep_2_2"] = new(CommandCode.StatementPrepare, true,
        [
            "005a00000002000200000000",
            "03646566000000013f000c3f0000000000068000000000",
            "03646566000000013f000c3f0000000000068000000000",
            "03646566000000013f000c3f0000000000068000000000",
            "03646566000000013f000c3f0000000000068000000000",
        ]),
        // COM_STMT_PREPARE DO 1
        ["deof/prep_0_0"] = new(CommandCode.StatementPrepare, true,
        [
            "005b00000000000000000000",
        ]),
        // COM_STMT_PREPARE SELECT id, v FROM scan_capture WHERE id > ?
        ["deof/prep_1_2"] = new(CommandCode.StatementPrepare, true,
        [
            "005c00000002000100000000",
            "03646566000000013f000c3f0000000000068000000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
        ]),
        // COM_STMT_PREPARE INSERT INTO scan_capture_load VALUES (?)
        ["deof/prep_1_0"] = new(CommandCode.StatementPrepare, true,
        [
            "005d00000000000100000000",
            "03646566000000013f000c3f0000000000068000000000",
        ]),
        // COM_STMT_PREPARE SELECT 1
        ["deof/prep_0_1"] = new(CommandCode.StatementPrepare, true,
        [
            "005e00000001000000000000",
            "036465660000000131000c3f0001000000038100000000",
        ]),
        // COM_STMT_PREPARE SELECT * FROM no_such_table
        ["deof/prep_err"] = new(CommandCode.StatementPrepare, true,
        [
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // COM_STMT_PREPARE CALL scan_capture_out(?)
        ["deof/prep_call_out"] = new(CommandCode.StatementPrepare, true,
        [
            "006000000000000100000000",
            "03646566000000013f000c3f0000000000068000000000",
        ]),
        // COM_STMT_EXECUTE of prep_1_2 with 0, no cursor (3 binary rows)
        ["deof/exec_rows"] = new(CommandCode.StatementExecute, true,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030350000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "000001000000036f6e65",
            "0000020000000374776f",
            "000003000000057468726565",
            "fe000002000000",
        ]),
        // COM_STMT_EXECUTE of prep_1_2 with CURSOR_TYPE_READ_ONLY
        ["deof/exec_cursor"] = new(CommandCode.StatementExecute, true,
        [
            "02",
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b000000030110000000",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000",
            "fe000042000000",
        ]),
        // COM_STMT_FETCH 2 rows from that cursor
        ["deof/fetch_2"] = new(CommandCode.StatementFetch, true,
        [
            "000001000000036f6e65",
            "0000020000000374776f",
            "fe000042000000",
        ]),
        // COM_STMT_FETCH 2 more rows: the last one, SERVER_STATUS_LAST_ROW_SENT
        ["deof/fetch_last"] = new(CommandCode.StatementFetch, true,
        [
            "000003000000057468726565",
            "fe000082000000",
        ]),
        // COM_STMT_EXECUTE of DO 1
        ["deof/exec_ok"] = new(CommandCode.StatementExecute, true,
        [
            "00000002000000",
        ]),
        // COM_STMT_EXECUTE of CALL scan_capture_out(?): OUT parameters result set, then OK
        ["deof/exec_call_out"] = new(CommandCode.StatementExecute, true,
        [
            "01",
            "0364656603617070107363616e5f636170747572655f6f7574107363616e5f636170747572655f6f7574017801780c3f000b000000030000000000",
            "00002a000000",
            "fe00000a100000",
            "00000002000000",
        ]),
        // COM_STMT_RESET
        ["deof/stmt_reset"] = new(CommandCode.StatementReset, true,
        [
            "00000002000000",
        ]),
        // COM_STMT_CLOSE: no response
        ["deof/stmt_close"] = new(CommandCode.StatementClose, true, []),
        // COM_FIELD_LIST scan_capture
        ["deof/field_list"] = new(CommandCode.FieldList, true,
        [
            "03646566036170700c7363616e5f636170747572650c7363616e5f636170747572650269640269640c3f000b0000000303500000000130",
            "03646566036170700c7363616e5f636170747572650c7363616e5f63617074757265017601760c2d0050000000fd0000000000fb",
            "fe000002000000",
        ]),
        // COM_FIELD_LIST no_such_table
        ["deof/field_list_err"] = new(CommandCode.FieldList, true,
        [
            "ff7a042334325330325461626c6520276170702e6e6f5f737563685f7461626c652720646f65736e2774206578697374",
        ]),
        // COM_STATISTICS
        ["deof/statistics"] = new(CommandCode.Statistics, true,
        [
            "557074696d653a203535322020546872656164733a20313120205175657374696f6e733a203737313532302020536c6f7720717565726965733a203020204f70656e733a2031323020204f70656e207461626c65733a20323020205175657269657320706572207365636f6e64206176673a20313339372e363831",
        ]),
        // COM_PING
        ["deof/ping"] = new(CommandCode.Ping, true,
        [
            "00000002000000",
        ]),
        // COM_SET_OPTION MYSQL_OPTION_MULTI_STATEMENTS_ON
        ["deof/set_option"] = new(CommandCode.SetOption, true,
        [
            "fe000002000000",
        ]),
        // COM_RESET_CONNECTION
        ["deof/reset_connection"] = new(CommandCode.ResetConnection, true,
        [
            "00000002000000",
        ]),
    };
}
