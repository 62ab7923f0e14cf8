using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MySqlProxy.Admin.Json;

namespace MySqlProxy.Admin.Http;

/// <summary>
/// Reads a JSON request body into a request type, turning every way it can be wrong (malformed JSON,
/// an unknown field, a value of the wrong type) into a 400 that names the field, instead of the framework's
/// bare 400. Fields that can be wrong in a known way describe what they expect.
/// </summary>
internal static partial class RequestBody
{
    private const string BodyField = "body";

    /// <summary>The body as <typeparamref name="T"/>, or the 400 that says what is wrong with it.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, IReadOnlyDictionary<string, string> expected)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            T? value = await JsonSerializer.DeserializeAsync<T>(request.Body, AdminJson.Options, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return value is null ? (null, Problems.Invalid(BodyField, "a JSON object is required")) : (value, null);
        }
        catch (JsonException ex)
        {
            (string field, string message) = Describe(ex, expected);
            return (null, Problems.Invalid(field, message));
        }
    }

    /// <summary>The field a <see cref="JsonException"/> is about, as the request spells it, and what is wrong with it.</summary>
    /// <remarks>
    /// System.Text.Json tells the kind of failure only in its message text and inner exception (no error codes);
    /// JsonTests pins each case, so a wording change in a later runtime shows there.
    /// </remarks>
    internal static (string Field, string Message) Describe(JsonException ex, IReadOnlyDictionary<string, string> expected)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(expected);
        string path = ex.Path is null or "$" ? string.Empty : ex.Path.StartsWith("$.", StringComparison.Ordinal) ? ex.Path[2..] : ex.Path.TrimStart('$');
        string message = ex.Message;
        int cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        string bare = (cut >= 0 ? message[..cut] : message).Trim();

        Match unknown = UnmappedProperty().Match(message);
        if (unknown.Success)
        {
            // The path already ends in the unknown property's name.
            string name = unknown.Groups["name"].Value;
            return (path.Length == 0 ? name : path, "unknown field");
        }

        if (bare.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return (BodyField, "a JSON object is required");
        }

        if (ex.InnerException is not null && ex.InnerException.GetType().Name == "JsonReaderException")
        {
            string where = ex.LineNumber is long line && ex.BytePositionInLine is long column ? $" (line {line + 1}, byte {column + 1})" : string.Empty;
            return (path.Length == 0 ? BodyField : path, $"malformed JSON: {bare}{where}");
        }

        if (path.Length == 0)
        {
            return (BodyField, bare.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) ? "a JSON object is required" : bare);
        }

        string leaf = LeafName(path);
        if (expected.TryGetValue(leaf, out string? description))
        {
            return (path, description);
        }

        return (path, bare.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) ? "has the wrong type" : bare);
    }

    private static string LeafName(string path)
    {
        int dot = path.LastIndexOf('.');
        string leaf = dot >= 0 ? path[(dot + 1)..] : path;
        int bracket = leaf.IndexOf('[', StringComparison.Ordinal);
        return bracket >= 0 ? leaf[..bracket] : leaf;
    }

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
