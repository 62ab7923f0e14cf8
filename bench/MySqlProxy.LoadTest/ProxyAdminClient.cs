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
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri("/api/backends", UriKind.Relative), ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            await using Stream body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using JsonDocument doc = await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
            return ParseStatements(doc.RootElement);
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
