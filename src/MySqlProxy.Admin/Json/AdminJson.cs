using System.Text.Json;
using System.Text.Json.Serialization;

namespace MySqlProxy.Admin.Json;

/// <summary>
/// The admin endpoint's JSON: snake_case names (as proxy.yaml), enums as lowercase strings, durations as
/// <c>"250ms"</c>, and unknown fields refused so a typo is an error rather than a silent no-op.
/// </summary>
internal static class AdminJson
{
    /// <summary>Settings for requests, responses and the run-time settings file.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Puts the admin endpoint's settings on <paramref name="options"/> (the HTTP JSON options, or a fresh set).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.PropertyNameCaseInsensitive = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new DurationJsonConverter());
        return options;
    }
}
