using System.Net.Http.Headers;
using System.Text.Json;

namespace MySqlProxy.LoadTest;

/// <summary>Reads the proxy's <c>GET /api/backends</c>: statements run per backend since start.</summary>
internal sealed class ProxyAdminClient : IDisposable
{
    private readonly HttpClient _http;

    public ProxyAdminClient(Uri baseUrl, string token)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Backend name to statement count; null when the endpoint cannot be read.</summary>
    public async Task<Dictionary<string, long>?> StatementsAsync(CancellationToken ct)
    {
        using JsonDocument? doc = await GetBackendsAsync(ct).ConfigureAwait(false);
        return doc is null ? null : ParseStatements(doc.RootElement);
    }

    /// <summary>Each replica's lag and effective weight as the proxy sees them now, e.g. "db2 lag 1032 ms weight 41".</summary>
    public async Task<string?> ReplicaViewAsync(CancellationToken ct)
    {
        using JsonDocument? doc = await GetBackendsAsync(ct).ConfigureAwait(false);
        return doc is null ? null : ParseReplicaView(doc.RootElement);
    }

    internal static string ParseReplicaView(JsonElement root)
    {
        var parts = new List<string>();
        if (root.ValueKind != JsonValueKind.Array) return string.Empty;
        foreach (JsonElement b in root.EnumerateArray())
        {
            if (!b.TryGetProperty("role", out JsonElement role) || role.GetString() != "replica") continue;
            string name = b.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? "?" : "?";
            string lag = b.TryGetProperty("smoothed_lag_ms", out JsonElement l) && l.ValueKind == JsonValueKind.Number
                ? l.GetDouble().ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms" : "unknown";
            string weight = b.TryGetProperty("effective_weight", out JsonElement w) && w.ValueKind == JsonValueKind.Number
                ? w.GetDouble().ToString("0", System.Globalization.CultureInfo.InvariantCulture) : "?";
            parts.Add($"{name} lag {lag} weight {weight}");
        }
        return string.Join(", ", parts);
    }

    private async Task<JsonDocument?> GetBackendsAsync(CancellationToken ct)
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri("/api/backends", UriKind.Relative), ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            await using Stream body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            return await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    internal static Dictionary<string, long> ParseStatements(JsonElement root)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Array) return counts;
        foreach (JsonElement backend in root.EnumerateArray())
        {
            if (backend.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String &&
                backend.TryGetProperty("statements", out JsonElement statements) && statements.TryGetInt64(out long n))
            {
                counts[name.GetString()!] = n;
            }
        }
        return counts;
    }

    public void Dispose() => _http.Dispose();
}
