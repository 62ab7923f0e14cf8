using System.Text.Json;
using System.Text.Json.Serialization;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Json;

/// <summary>
/// A <see cref="Duration"/> as proxy.yaml writes it: the string <c>"250ms"</c>, <c>"2s"</c>, <c>"5m"</c>; a bare
/// number reads as seconds, as in the file.
/// </summary>
internal sealed class DurationJsonConverter : JsonConverter<Duration>
{
    public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double seconds) &&
            Duration.TryParse(seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture), out Duration fromNumber))
        {
            return fromNumber;
        }

        if (reader.TokenType == JsonTokenType.String && Duration.TryParse(reader.GetString(), out Duration duration))
        {
            return duration;
        }

        throw new JsonException("must be a duration such as \"250ms\", \"2s\" or \"5m\"");
    }

    public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
