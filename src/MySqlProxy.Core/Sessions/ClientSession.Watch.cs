using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace MySqlProxy.Core.Sessions;

internal sealed partial class ClientSession
{
    private ConfiguredValueTaskAwaitable<ReadResult>.ConfiguredValueTaskAwaiter _watchAwaiter;
    private Action? _onClientWatch;
    private bool _watching;
    private bool _clientGoneMidStatement;

    /// <summary>
    /// While a statement runs, waits on the client connection too: a client that hangs up mid-statement gets
    /// its backend connection closed, so the server stops the statement as it would for a direct client
    /// (instead of running it to the end). Data that arrives (a pipelined command) is left in the pipe.
    /// Allocation-free: the awaiter and its callback are kept per session.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012", Justification = "The awaiter is consumed exactly once, by OnClientWatch; keeping it avoids an allocation per statement.")]
    private void StartClientWatch()
    {
        _watching = true;
        _watchAwaiter = ClientInput.ReadAsync().ConfigureAwait(false).GetAwaiter();
        if (_watchAwaiter.IsCompleted)
        {
            OnClientWatch();
        }
        else
        {
            _watchAwaiter.UnsafeOnCompleted(_onClientWatch ??= OnClientWatch);
        }
    }

    /// <summary>Ends the watch before the session reads the client itself again.</summary>
    private void StopClientWatch()
    {
        if (_watching)
        {
            // With inline pipe scheduling the pending read completes (as cancelled) within this call.
            ClientInput.CancelPendingRead();
            SpinWait spin = default;
            while (Volatile.Read(ref _watching))
            {
                spin.SpinOnce();
            }
        }
    }

    private void OnClientWatch()
    {
        ReadResult read;
        try
        {
            read = _watchAwaiter.GetResult();
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            ClientHungUp();
            Volatile.Write(ref _watching, false);
            return;
        }

        bool gone = read.IsCompleted && read.Buffer.IsEmpty;
        ClientInput.AdvanceTo(read.Buffer.Start);
        if (gone)
        {
            ClientHungUp();
        }

        Volatile.Write(ref _watching, false);
    }

    private void ClientHungUp()
    {
        _clientGoneMidStatement = true;
        _backend?.Abort();
    }
}
