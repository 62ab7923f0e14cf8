using System.Text.Json;
using Microsoft.Extensions.Logging;
using MySqlProxy.Admin.Diagnostics;
using MySqlProxy.Admin.Json;
using MySqlProxy.Core.Configuration;
using MySqlProxy.Core.Control;

namespace MySqlProxy.Admin.Persistence;

/// <summary>
/// Keeps what operators change through the admin endpoint (backend weight, state and max_lag; routing and
/// rules) in <c>proxy.runtime.json</c> beside the configuration, and puts it back over the configuration at
/// start. Each save writes a temporary file in the same folder, flushes it to disk and moves it over the old
/// one, so a crash leaves either the old file or the new one, never half of one.
/// </summary>
internal sealed class RuntimeStateStore : IDisposable
{
    /// <summary>The file's name, beside the configuration file.</summary>
    public const string FileName = AdminServerOptions.RuntimeStateFileName;

    private static readonly JsonSerializerOptions s_fileOptions = new(AdminJson.Options) { WriteIndented = true };

    private readonly ProxyControl _control;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _lock = new();
    private readonly SortedSet<string> _backends = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AddedBackend> _added = [];
    private readonly SortedSet<string> _removed = new(StringComparer.OrdinalIgnoreCase);
    private bool _routing;

    /// <param name="path">The file; null keeps nothing (changes last until the process stops).</param>
    /// <param name="control">The running proxy's settings.</param>
    /// <param name="logger">Where loading and saving problems are told.</param>
    public RuntimeStateStore(string? path, ProxyControl control, ILogger logger)
    {
        Path = path is null ? null : System.IO.Path.GetFullPath(path);
        _control = control;
        _logger = logger;
    }

    /// <summary>Where the settings are kept, or null when they are not.</summary>
    public string? Path { get; }

    /// <summary>Puts the saved settings over the configuration; what cannot be applied is logged and skipped.</summary>
    public void Load()
    {
        if (Path is null || !File.Exists(Path))
        {
            return;
        }

        RuntimeState? state;
        try
        {
            using FileStream stream = File.OpenRead(Path);
            state = JsonSerializer.Deserialize<RuntimeState>(stream, s_fileOptions);
            if (state is not null && state.Version != RuntimeState.CurrentVersion)
            {
                throw new InvalidDataException($"version {state.Version} is not {RuntimeState.CurrentVersion}");
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Keep the unreadable file for the operator instead of letting the next save overwrite it.
            string kept = Path + ".unreadable";
            try
            {
                File.Move(Path, kept, overwrite: true);
            }
            catch (Exception moveError) when (moveError is IOException or UnauthorizedAccessException)
            {
                kept = Path;
            }

            Log.RuntimeUnreadable(_logger, Path, ex.Message, kept);
            return;
        }

        if (state is null)
        {
            return;
        }

        foreach (string name in state.RemovedBackends ?? [])
        {
            try
            {
                // At start no session holds a connection, so this completes at once.
                BackendRemoval removal = _control.RemoveBackendAsync(name, TimeSpan.Zero).GetAwaiter().GetResult();
                if (removal.Removed)
                {
                    lock (_lock)
                    {
                        _removed.Add(name);
                    }
                }
            }
            catch (KeyNotFoundException)
            {
                // Gone from proxy.yaml too: nothing to remember.
            }
            catch (BackendChangeException ex)
            {
                Log.RuntimeRejected(_logger, $"removed_backends.{name}", Path, ex.Message);
            }
        }

        foreach (AddedBackend added in state.AddedBackends ?? [])
        {
            try
            {
                _control.AddReplica(new BackendOptions { Name = added.Name, Host = added.Host, Port = added.Port, Weight = added.Weight });
                lock (_lock)
                {
                    _added.Add(added);
                }
            }
            catch (BackendChangeException ex)
            {
                Log.RuntimeRejected(_logger, $"added_backends.{added.Name}.{ex.Field}", Path, ex.Message);
            }
        }

        int backends = 0;
        foreach ((string name, BackendSettings settings) in state.Backends ?? [])
        {
            try
            {
                _control.UpdateBackend(name, settings.Weight, settings.State, settings.MaxLag?.Value, clearMaxLag: settings.MaxLag is null);
                lock (_lock)
                {
                    _backends.Add(name);
                }

                backends++;
            }
            catch (KeyNotFoundException)
            {
                Log.RuntimeUnknownBackend(_logger, name);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                Log.RuntimeRejected(_logger, $"backends.{name}.{ex.ParamName}", Path, ex.Message);
            }
        }

        bool routing = false;
        if (state.Routing is { } saved)
        {
            try
            {
                _control.UpdateRouting(saved.ApplyTo(_control.Routing()));
                lock (_lock)
                {
                    _routing = true;
                }

                routing = true;
            }
            catch (ArgumentException ex)
            {
                Log.RuntimeRejected(_logger, "routing", Path, ex.Message.Replace('\n', ';'));
            }
        }

        Log.RuntimeLoaded(_logger, Path, backends, routing ? " and routing" : string.Empty);
    }

    /// <summary>Records that a backend's settings were changed (they are saved from now on).</summary>
    public void BackendChanged(string name)
    {
        lock (_lock)
        {
            _backends.Add(name);
        }
    }

    /// <summary>Records a replica added at run time (created again at the next start).</summary>
    public void BackendAdded(BackendOptions backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        lock (_lock)
        {
            _removed.Remove(backend.Name);
            _added.RemoveAll(a => string.Equals(a.Name, backend.Name, StringComparison.OrdinalIgnoreCase));
            _added.Add(new AddedBackend { Name = backend.Name, Host = backend.Host, Port = backend.Port, Weight = backend.Weight });
            _backends.Add(backend.Name);
        }
    }

    /// <summary>Records a backend removed at run time (left out at the next start).</summary>
    public void BackendRemoved(string name)
    {
        lock (_lock)
        {
            _backends.Remove(name);
            if (_added.RemoveAll(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) == 0)
            {
                _removed.Add(name);
            }
        }
    }

    /// <summary>Records that routing or rules were changed (the whole section is saved from now on).</summary>
    public void RoutingChanged()
    {
        lock (_lock)
        {
            _routing = true;
        }
    }

    /// <summary>
    /// The configuration's routing section was reloaded and is in force: it replaces what was set through the
    /// admin endpoint, which is dropped from the file (the latest change wins).
    /// </summary>
    public Task RoutingReplacedByConfigurationAsync()
    {
        lock (_lock)
        {
            if (!_routing)
            {
                return Task.CompletedTask;
            }

            _routing = false;
        }

        Log.RuntimeRoutingReplaced(_logger);
        return SaveAsync(CancellationToken.None);
    }

    /// <summary>What the file would hold now.</summary>
    public RuntimeState Snapshot()
    {
        string[] names;
        bool routing;
        List<AddedBackend> added;
        List<string> removed;
        lock (_lock)
        {
            names = [.. _backends];
            routing = _routing;
            added = [.. _added];
            removed = [.. _removed];
        }

        var state = new RuntimeState
        {
            SavedAt = DateTimeOffset.UtcNow,
            Backends = new(StringComparer.OrdinalIgnoreCase),
            AddedBackends = added.Count > 0 ? added : null,
            RemovedBackends = removed.Count > 0 ? removed : null,
        };
        foreach (string name in names)
        {
            if (_control.Backend(name) is { } view)
            {
                state.Backends[view.Name] = new BackendSettings
                {
                    Weight = view.Weight,
                    State = view.State,
                    MaxLag = view.MaxLagMs is double ms ? Duration.FromMilliseconds(ms) : null,
                };
            }
        }

        state.Routing = routing ? Routing.RoutingResource.From(_control.Routing()) : null;
        return state;
    }

    /// <summary>
    /// Writes the settings in force now. Returns false (and logs) when the file cannot be written: the change is
    /// in force but would not survive a restart.
    /// </summary>
    public async Task<bool> SaveAsync(CancellationToken ct)
    {
        if (Path is null)
        {
            return true;
        }

        await _writing.WaitAsync(ct).ConfigureAwait(false);
        string temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            // The snapshot is taken under the write lock, so the last save always writes the latest settings.
            RuntimeState state = Snapshot();
            FileStream stream = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, state, s_fileOptions, ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Log.RuntimeSaveFailed(_logger, Path, ex);
            TryDelete(temp);
            return false;
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose() => _writing.Dispose();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a stray temporary file is left.
        }
    }
}
