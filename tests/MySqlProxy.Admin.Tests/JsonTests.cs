using System.Text.Json;
using MySqlProxy.Admin.Backends;
using MySqlProxy.Admin.Http;
using MySqlProxy.Admin.Json;
using MySqlProxy.Admin.Routing;
using MySqlProxy.Core.Backends;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Tests;

/// <summary>The admin JSON without a server: names, enums, durations, and which field an error is about.</summary>
public sealed class JsonTests
{
    [Theory]
    [InlineData("\"250ms\"", 250)]
    [InlineData("\"2s\"", 2000)]
    [InlineData("\"1.5s\"", 1500)]
    [InlineData("\"5m\"", 300_000)]
    [InlineData("3", 3000)]
    [InlineData("0.5", 500)]
    public void Duration_Reads_AsTheFileWritesIt(string json, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), JsonSerializer.Deserialize<Duration>(json, AdminJson.Options).Value);

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("\"-1s\"")]
    [InlineData("true")]
    [InlineData("{}")]
    public void Duration_BadValue_Throws(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Duration>(json, AdminJson.Options));

    [Fact]
    public void Patch_MaxLag_NullIsToldApartFromMissing()
    {
        BackendPatch missing = JsonSerializer.Deserialize<BackendPatch>("""{"weight": 3}""", AdminJson.Options)!;
        BackendPatch cleared = JsonSerializer.Deserialize<BackendPatch>("""{"max_lag": null}""", AdminJson.Options)!;
        BackendPatch set = JsonSerializer.Deserialize<BackendPatch>("""{"max_lag": "250ms", "state": "DRAINING"}""", AdminJson.Options)!;

        Assert.False(missing.HasMaxLag);
        Assert.True(cleared.HasMaxLag);
        Assert.Null(cleared.MaxLag);
        Assert.Equal(TimeSpan.FromMilliseconds(250), set.MaxLag!.Value.Value);
        Assert.Equal(BackendState.Draining, set.State);
    }

    [Fact]
    public void Routing_WritesSnakeCaseLowercaseEnumsAndDurations()
    {
        string json = JsonSerializer.Serialize(RoutingResource.From(new RoutingOptions { ReadsOnPrimary = ReadsOnPrimary.Never }), AdminJson.Options);

        Assert.Contains("\"max_replica_lag\":\"2s\"", json, StringComparison.Ordinal);
        Assert.Contains("\"reads_on_primary\":\"never\"", json, StringComparison.Ordinal);
        Assert.Contains("\"lag_floor\":\"100ms\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"wieght": 1}""", "wieght", "unknown field")]
    [InlineData("""{"weight": 1, "x": {"y": [1]}}""", "x", "unknown field")]
    [InlineData("""{"weight": "a"}""", "weight", "must be a whole number")]
    [InlineData("""{"state": "up"}""", "state", "must be online, draining or offline")]
    [InlineData("""{"max_lag": "x"}""", "max_lag", "must be a duration")]
    [InlineData("""{"weight": 1""", "weight", "malformed JSON")]
    [InlineData("""{"weight": tru}""", "weight", "malformed JSON")]
    [InlineData("""[]""", "body", "a JSON object is required")]
    [InlineData("""  """, "body", "a JSON object is required")]
    public void Describe_JsonError_NamesTheField(string json, string field, string message)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BackendPatch>(json, AdminJson.Options));

        (string f, string m) = RequestBody.Describe(ex, BackendPatch.Expected);

        Assert.Equal(field, f);
        Assert.Contains(message, m, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutingErrors_CoreFailures_AreKeyedAsTheRequestSpellsThem()
    {
        var ex = new ArgumentException("routing.max_replica_lag: must be more than 0\nrouting.rules[1].match: not a valid regular expression\nrouting.rules[1].route: bad");

        Dictionary<string, string[]> errors = RoutingErrors.Parse(ex);

        Assert.Equal(["max_replica_lag", "rules[1].match", "rules[1].route"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["must be more than 0"], errors["max_replica_lag"]);
    }
}
