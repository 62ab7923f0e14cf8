using System.Buffers.Binary;
using System.Globalization;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Diagnostics;
using MySqlProxy.Protocol;
using MySqlProxy.Protocol.Payloads;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    /// <summary>COM_PROCESS_KILL: the old binary form of KILL CONNECTION.</summary>
    private async ValueTask<bool> ProcessKillAsync(PacketHeader header, CancellationToken ct)
    {
        byte[] payload = await TakeWholePacketAsync(header, ct).ConfigureAwait(false);
        if (payload.Length < 5)
        {
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.NetReadError, "08S01", "Got an error reading communication packets", 1, ct).ConfigureAwait(false);
            return false;
        }

        return await KillAsync(new KillStatement(KillScope.Connection, null, BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(1))), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// KILL with a proxy connection id. The statement the target session is running is stopped on whichever
    /// backend connection runs it, by a KILL sent there on a connection of the killer's own user, so that
    /// the server applies its own ownership and privilege rules; KILL CONNECTION then ends the target session.
    /// </summary>
    private async ValueTask<bool> KillAsync(KillStatement kill, CancellationToken ct)
    {
        if (kill.Id > uint.MaxValue || !_context.Sessions.TryGet((uint)kill.Id, out ClientSession? target) || target is null)
        {
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.NoSuchThread, "HY000",
                string.Create(CultureInfo.InvariantCulture, $"Unknown thread id: {kill.Id}"), 1, ct).ConfigureAwait(false);
            return true;
        }

        Log.ClientKill(_logger, Id, kill.Scope == KillScope.Query ? "QUERY" : "CONNECTION", target.Id);
        if (ReferenceEquals(target, this))
        {
            // As the server does: killing one's own query interrupts the KILL itself; one's own connection ends it.
            if (kill.Scope == KillScope.Query)
            {
                await PacketIO.WriteErrorAsync(ClientOutput, 1317, "70100", "Query execution was interrupted", 1, ct).ConfigureAwait(false);
                return true;
            }

            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.ConnectionKilled, "70100", "Connection was killed", 1, ct).ConfigureAwait(false);
            return false;
        }

        BackendConnection? victim = target.Backend;
        if (victim is not null && !victim.IsBroken)
        {
            // The target may see its backend go before this KILL returns; it must know that was the kill.
            target.ExpectKill(kill.Scope == KillScope.Connection);
            ErrPayload? error;
            try
            {
                error = await KillOnBackendAsync(victim, kill, ct).ConfigureAwait(false);
            }
            catch
            {
                target.ExpectKill(false);
                throw;
            }

            if (error is not null)
            {
                target.ExpectKill(false);
                await WriteErrorAsync(TranslateKillError(error, kill.Id), 1, ct).ConfigureAwait(false);
                return true;
            }
        }
        else if (!string.Equals(target.User, User, StringComparison.Ordinal))
        {
            await PacketIO.WriteErrorAsync(ClientOutput, ErrorCodes.KillDenied, "HY000",
                string.Create(CultureInfo.InvariantCulture, $"You are not owner of thread {kill.Id}"), 1, ct).ConfigureAwait(false);
            return true;
        }

        if (kill.Scope == KillScope.Connection)
        {
            target.MarkKilled();
        }

        await WriteOkAsync(1, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs KILL [QUERY] for the backend thread on a short-lived connection as this session's user.</summary>
    private async Task<ErrPayload?> KillOnBackendAsync(BackendConnection victim, KillStatement kill, CancellationToken ct)
    {
        var login = new BackendLogin(User, _context.Users[User], null, 0, Capabilities.None, null);
        string sql = string.Create(CultureInfo.InvariantCulture,
            $"KILL {kill.Modifier} {(kill.Scope == KillScope.Query ? "QUERY" : "CONNECTION")} {victim.ThreadId}");
        try
        {
            BackendConnection connection = await BackendConnection.ConnectAsync(victim.Backend, login, _context.ConnectTimeout, ct).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await connection.ExecuteAsync(sql, ct).ConfigureAwait(false);
            }
        }
        catch (MySqlErrorException ex)
        {
            return new ErrPayload(ex.ErrorCode, ex.SqlState, ex.Message);
        }
        catch (Exception ex) when (IsConnectFailure(ex))
        {
            return new ErrPayload(ErrorCodes.CannotConnect, "HY000",
                $"MySqlProxy: can't connect to backend {victim.Backend.Name} to kill thread {kill.Id}: {ex.Message}");
        }
    }

    /// <summary>The server's KILL errors name its own thread ids; the client knows only the proxy's.</summary>
    private static ErrPayload TranslateKillError(ErrPayload error, ulong proxyId) => error.ErrorCode switch
    {
        ErrorCodes.NoSuchThread => new ErrPayload(error.ErrorCode, error.SqlState, string.Create(CultureInfo.InvariantCulture, $"Unknown thread id: {proxyId}")),
        ErrorCodes.KillDenied => new ErrPayload(error.ErrorCode, error.SqlState, string.Create(CultureInfo.InvariantCulture, $"You are not owner of thread {proxyId}")),
        _ => error,
    };

    private async ValueTask WriteErrorAsync(ErrPayload error, byte sequence, CancellationToken ct)
    {
        using var payload = new PayloadWriter();
        error.Write(payload);
        await PacketIO.WritePacketAsync(ClientOutput, payload, sequence, ct).ConfigureAwait(false);
    }
}
