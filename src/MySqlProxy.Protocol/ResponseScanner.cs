using System.Runtime.CompilerServices;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Protocol;

/// <summary>What the relay does after the scanner saw a packet.</summary>
public enum ScanOutcome : byte
{
    /// <summary>More packets of this response follow.</summary>
    Continue,

    /// <summary>This packet ends the response.</summary>
    Complete,

    /// <summary>The server asked for a LOCAL INFILE: the client's file packets go to the server next.</summary>
    NeedClientData,
}

/// <summary>
/// Follows one command's response packet by packet, from each logical packet's first bytes only, to tell
/// where the response ends: OK/ERR, text and binary result sets (with or without CLIENT_DEPRECATE_EOF),
/// several result sets (SERVER_MORE_RESULTS_EXISTS), cursors, COM_STMT_PREPARE, COM_FIELD_LIST and the
/// LOCAL INFILE exchange (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html).
/// Continuation packets of a split payload must not be fed.
/// </summary>
public struct ResponseScanner
{
    /// <summary>The bytes of a packet's payload the scanner needs (or the whole payload when shorter).</summary>
    public const int PrefixSize = 32;

    private State _state;
    private bool _deprecateEof;
    private ulong _remaining;
    private ushort _prepareColumns;

    /// <summary>Status flags of the last OK or EOF packet seen.</summary>
    public ServerStatus LastStatus { get; private set; }

    /// <summary>True when the response ended with (or contained) an ERR packet.</summary>
    public bool SawError { get; private set; }

    /// <summary>Statement id from the last COM_STMT_PREPARE OK.</summary>
    public uint PreparedStatementId { get; private set; }

    /// <summary>Warnings of the last OK or EOF packet.</summary>
    public ushort LastWarnings { get; private set; }

    /// <summary>Rows the response carried (all result sets), counted from the row packets.</summary>
    public long Rows { get; private set; }

    /// <summary>Affected rows of the last OK packet.</summary>
    public ulong AffectedRows { get; private set; }

    /// <summary>True when the packet fed last was an OK packet (0x00, or the 0xFE terminator in OK form).</summary>
    public bool LastPacketWasOk { get; private set; }

    /// <summary>True when the response is complete.</summary>
    public readonly bool IsComplete => _state == State.Done;

    private enum State : byte
    {
        /// <summary>No response in progress.</summary>
        Done,

        /// <summary>Expecting the first packet of a result: OK, ERR, LOCAL INFILE request or column count.</summary>
        ResultStart,

        /// <summary>Expecting <c>_remaining</c> more column definitions of a result set.</summary>
        ColumnDefinitions,

        /// <summary>Expecting the EOF after the column definitions (no CLIENT_DEPRECATE_EOF).</summary>
        ColumnsEof,

        /// <summary>Expecting rows until an EOF/OK terminator or ERR.</summary>
        Rows,

        /// <summary>The client is sending LOCAL INFILE data; nothing is expected from the server.</summary>
        LocalInfile,

        /// <summary>Expecting the COM_STMT_PREPARE OK or ERR.</summary>
        PrepareStart,

        /// <summary>Expecting <c>_remaining</c> parameter definitions.</summary>
        PrepareParameters,

        /// <summary>Expecting the EOF after the parameter definitions.</summary>
        PrepareParametersEof,

        /// <summary>Expecting <c>_remaining</c> column definitions of a prepared statement.</summary>
        PrepareColumns,

        /// <summary>Expecting the EOF after the prepared statement's columns.</summary>
        PrepareColumnsEof,

        /// <summary>COM_FIELD_LIST: column definitions until EOF or ERR.</summary>
        FieldList,

        /// <summary>Any one packet ends the response (OK, ERR, EOF or COM_STATISTICS' string).</summary>
        Single,
    }

    /// <summary>Whether a command is answered at all.</summary>
    public static bool HasResponse(CommandCode command) => command is not
        (CommandCode.Quit or CommandCode.StatementClose or CommandCode.StatementSendLongData);

    /// <summary>Starts following the response to <paramref name="command"/>.</summary>
    public void Start(CommandCode command, Capabilities capabilities)
    {
        _deprecateEof = (capabilities & Capabilities.DeprecateEof) != 0;
        SawError = false;
        LastWarnings = 0;
        Rows = 0;
        _remaining = 0;
        _state = command switch
        {
            CommandCode.Query or CommandCode.StatementExecute or CommandCode.ProcessInfo
                or CommandCode.StatementBulkExecute => State.ResultStart,
            CommandCode.StatementPrepare => State.PrepareStart,
            CommandCode.StatementFetch => State.Rows,
            CommandCode.FieldList => State.FieldList,
            CommandCode.Quit or CommandCode.StatementClose or CommandCode.StatementSendLongData => State.Done,
            _ => State.Single,
        };
    }

    /// <summary>After the client's LOCAL INFILE data (ending in an empty packet): the server answers with OK or ERR.</summary>
    public void ClientDataSent()
    {
        if (_state != State.LocalInfile)
        {
            ThrowHelper.PacketFormat("no LOCAL INFILE exchange in progress");
        }

        _state = State.ResultStart;
    }

    /// <summary>
    /// Feeds the first bytes of one logical packet (<see cref="PrefixSize"/> or the whole payload if shorter)
    /// and its full payload length.
    /// </summary>
    public ScanOutcome Feed(ReadOnlySpan<byte> prefix, int payloadLength)
    {
        if (prefix.Length == 0)
        {
            // Only COM_STATISTICS can answer with an empty string; anywhere else an empty packet is malformed.
            return _state == State.Single ? Finish() : ThrowHelper.PacketFormat<ScanOutcome>("empty packet in a response");
        }

        byte header = prefix[0];
        LastPacketWasOk = false;
        switch (_state)
        {
            case State.ResultStart:
                return ResultStart(prefix, header);

            case State.ColumnDefinitions:
                if (--_remaining == 0)
                {
                    _state = _deprecateEof ? State.Rows : State.ColumnsEof;
                }

                return ScanOutcome.Continue;

            case State.ColumnsEof:
                if (header == ErrPayload.Signature)
                {
                    return Error();
                }

                LastStatus = EofPayload.ReadStatus(prefix);
                LastWarnings = EofPayload.ReadWarnings(prefix);

                // A cursor was opened: rows come later through COM_STMT_FETCH.
                if ((LastStatus & ServerStatus.CursorExists) != 0)
                {
                    return Finish();
                }

                _state = State.Rows;
                return ScanOutcome.Continue;

            case State.Rows:
                if (header == ErrPayload.Signature)
                {
                    return Error();
                }

                if (header == EofPayload.Signature && IsTerminator(payloadLength))
                {
                    ReadTerminatorStatus(prefix, payloadLength);
                    return EndOfResult();
                }

                Rows++;
                return ScanOutcome.Continue;

            case State.PrepareStart:
                if (header == ErrPayload.Signature)
                {
                    return Error();
                }

                if (header != OkPayload.Signature || prefix.Length < 9)
                {
                    return ThrowHelper.PacketFormat<ScanOutcome>("malformed COM_STMT_PREPARE response");
                }

                PreparedStatementId = (uint)(prefix[1] | (prefix[2] << 8) | (prefix[3] << 16) | (prefix[4] << 24));
                _prepareColumns = (ushort)(prefix[5] | (prefix[6] << 8));
                ushort parameters = (ushort)(prefix[7] | (prefix[8] << 8));
                if (parameters > 0)
                {
                    _remaining = parameters;
                    _state = State.PrepareParameters;
                    return ScanOutcome.Continue;
                }

                return PrepareColumnsOrFinish();

            case State.PrepareParameters:
                if (--_remaining == 0)
                {
                    if (!_deprecateEof)
                    {
                        _state = State.PrepareParametersEof;
                        return ScanOutcome.Continue;
                    }

                    return PrepareColumnsOrFinish();
                }

                return ScanOutcome.Continue;

            case State.PrepareParametersEof:
                return PrepareColumnsOrFinish();

            case State.PrepareColumns:
                if (--_remaining == 0)
                {
                    if (!_deprecateEof)
                    {
                        _state = State.PrepareColumnsEof;
                        return ScanOutcome.Continue;
                    }

                    return Finish();
                }

                return ScanOutcome.Continue;

            case State.PrepareColumnsEof:
                return Finish();

            case State.FieldList:
                if (header == ErrPayload.Signature)
                {
                    return Error();
                }

                if (header == EofPayload.Signature && IsTerminator(payloadLength))
                {
                    ReadTerminatorStatus(prefix, payloadLength);
                    return Finish();
                }

                return ScanOutcome.Continue;

            case State.Single:
                if (header == ErrPayload.Signature)
                {
                    return Error();
                }

                if (OkPayload.TryReadHead(prefix, out OkPayload ok))
                {
                    LastStatus = ok.Status;
                    AffectedRows = ok.AffectedRows;
                    LastWarnings = ok.Warnings;
                    LastPacketWasOk = header == OkPayload.Signature || payloadLength >= 7;
                }
                else if (header == EofPayload.Signature && payloadLength < 9)
                {
                    LastStatus = EofPayload.ReadStatus(prefix);
                    LastWarnings = EofPayload.ReadWarnings(prefix);
                }

                return Finish();

            case State.LocalInfile:
                return ThrowHelper.PacketFormat<ScanOutcome>("server sent a packet during a LOCAL INFILE upload");

            default:
                return ThrowHelper.PacketFormat<ScanOutcome>("server sent a packet after its response ended");
        }
    }

    private ScanOutcome ResultStart(ReadOnlySpan<byte> prefix, byte header)
    {
        switch (header)
        {
            case OkPayload.Signature:
            case EofPayload.Signature:
                if (OkPayload.TryReadHead(prefix, out OkPayload ok))
                {
                    LastStatus = ok.Status;
                    AffectedRows = ok.AffectedRows;
                    LastWarnings = ok.Warnings;
                    LastPacketWasOk = true;
                }
                else
                {
                    LastStatus = EofPayload.ReadStatus(prefix);
                }

                return EndOfResult();

            case ErrPayload.Signature:
                return Error();

            case 0xFB:
                _state = State.LocalInfile;
                return ScanOutcome.NeedClientData;

            default:
                var reader = new PayloadReader(prefix);
                _remaining = reader.ReadLengthEncodedInteger();
                if (_remaining == 0)
                {
                    ThrowHelper.PacketFormat("result set with no columns");
                }

                _state = State.ColumnDefinitions;
                return ScanOutcome.Continue;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool IsTerminator(int payloadLength) =>
        _deprecateEof ? payloadLength < PacketHeader.MaxPayloadLength : payloadLength < 9;

    private void ReadTerminatorStatus(ReadOnlySpan<byte> prefix, int payloadLength)
    {
        // Under CLIENT_DEPRECATE_EOF the terminator is an OK packet with a 0xFE header; a classic EOF
        // (5 bytes) still appears where a server sends one regardless, e.g. after a cursor's metadata.
        if (payloadLength >= 7 && OkPayload.TryReadHead(prefix, out OkPayload ok))
        {
            LastStatus = ok.Status;
            LastWarnings = ok.Warnings;
            LastPacketWasOk = true;
        }
        else
        {
            LastStatus = EofPayload.ReadStatus(prefix);
            LastWarnings = EofPayload.ReadWarnings(prefix);
        }
    }

    private ScanOutcome EndOfResult()
    {
        if ((LastStatus & ServerStatus.MoreResultsExist) != 0)
        {
            _state = State.ResultStart;
            return ScanOutcome.Continue;
        }

        return Finish();
    }

    private ScanOutcome PrepareColumnsOrFinish()
    {
        if (_prepareColumns > 0)
        {
            _remaining = _prepareColumns;
            _state = State.PrepareColumns;
            return ScanOutcome.Continue;
        }

        return Finish();
    }

    private ScanOutcome Error()
    {
        SawError = true;
        return Finish();
    }

    private ScanOutcome Finish()
    {
        _state = State.Done;
        return ScanOutcome.Complete;
    }
}
