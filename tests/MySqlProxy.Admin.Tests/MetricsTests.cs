using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MySqlProxy.Admin.Metrics;
using MySqlProxy.Admin.Tests.Infrastructure;

namespace MySqlProxy.Admin.Tests;

/// <summary>/metrics: the documented names, each with HELP and TYPE, every sample a well-formed line; and the OpenAPI document.</summary>
public sealed partial class MetricsTests
{
    private static readonly string[] s_documented =
    [
        "mysqlproxy_up",
        "mysqlproxy_backend_up",
        "mysqlproxy_backend_state",
        "mysqlproxy_backend_replicating",
        "mysqlproxy_backend_lag_seconds",
        "mysqlproxy_backend_weight",
        "mysqlproxy_backend_effective_weight",
        "mysqlproxy_backend_connections_open",
        "mysqlproxy_backend_connections_in_use",
        "mysqlproxy_statements_total",
        "mysqlproxy_statement_errors_total",
        "mysqlproxy_client_connections",
        "mysqlproxy_client_sessions",
        "mysqlproxy_pinned_sessions",
        "mysqlproxy_statements_routed_total",
        "mysqlproxy_statement_duration_seconds",
        "mysqlproxy_backend_borrow_waits_total",
        "mysqlproxy_backend_borrow_wait_seconds_total",
        "mysqlproxy_jobs_total",
        "mysqlproxy_jobs_active",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Metrics_AfterTraffic_HasTheDocumentedNamesAndParses()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();
        await using var connection = await proxy.OpenAsync(Ct);
        for (int i = 0; i < 5; i++)
        {
            await AdminInstance.ServerIdAsync(connection, Ct);
            await AdminInstance.ServerIdAsync(connection, Ct, "SELECT @@server_id FOR UPDATE");
        }

        using HttpResponseMessage response = await proxy.Http.GetAsync("/metrics", Ct);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        string text = await response.Content.ReadAsStringAsync(Ct);

        var samples = Parse(text, out Dictionary<string, string> types, out HashSet<string> helps);
        foreach (string name in s_documented)
        {
            Assert.True(types.ContainsKey(name), $"no # TYPE for {name}");
            Assert.Contains(name, helps);
        }

        Assert.Equal("counter", types["mysqlproxy_statements_total"]);
        Assert.Equal("gauge", types["mysqlproxy_backend_lag_seconds"]);
        Assert.Equal(1, samples[("mysqlproxy_backend_up", "backend=\"db1\",role=\"primary\"")]);
        Assert.Equal(1, samples[("mysqlproxy_backend_state", "backend=\"db2\",state=\"online\"")]);
        Assert.Equal(0, samples[("mysqlproxy_backend_state", "backend=\"db2\",state=\"draining\"")]);
        Assert.Equal(100, samples[("mysqlproxy_backend_weight", "backend=\"db3\"")]);
        Assert.True(samples[("mysqlproxy_statements_total", "backend=\"db1\"")] >= 5);
        Assert.True(samples.ContainsKey(("mysqlproxy_backend_lag_seconds", "backend=\"db2\"")));
        Assert.Equal(1, samples[("mysqlproxy_client_sessions", string.Empty)]);
        Assert.True(samples.ContainsKey(("mysqlproxy_pinned_sessions", "cause=\"transaction\"")));

        // Locking reads went to the primary as writes; the histogram counts every statement of db1 in +Inf.
        Assert.True(samples[("mysqlproxy_statements_routed_total", "backend=\"db1\",route=\"write\"")] >= 5);
        double reads = 0;
        foreach (string backend in new[] { "db2", "db3" })
        {
            reads += samples[("mysqlproxy_statements_routed_total", $"backend=\"{backend}\",route=\"read\"")];
        }

        Assert.True(reads + samples[("mysqlproxy_statements_routed_total", "backend=\"db1\",route=\"read_on_primary\"")] >= 5);
        Assert.Equal("histogram", types["mysqlproxy_statement_duration_seconds"]);
        double all = samples[("mysqlproxy_statement_duration_seconds_bucket", "backend=\"db1\",le=\"+Inf\"")];
        Assert.Equal(samples[("mysqlproxy_statement_duration_seconds_count", "backend=\"db1\"")], all);
        Assert.Equal(samples[("mysqlproxy_statements_total", "backend=\"db1\"")], all);
        Assert.True(samples[("mysqlproxy_statement_duration_seconds_bucket", "backend=\"db1\",le=\"0.001\"")] <= all);
        Assert.True(samples[("mysqlproxy_statement_duration_seconds_sum", "backend=\"db1\"")] > 0);
        Assert.Equal(0, samples[("mysqlproxy_backend_borrow_waits_total", "backend=\"db1\"")]);

        // A change over HTTP shows at the next scrape.
        await proxy.SendJsonAsync(HttpMethod.Patch, "/api/backends/db2", """{"state": "draining", "weight": 7}""", 200, Ct);
        samples = Parse(await proxy.Http.GetStringAsync("/metrics", Ct), out _, out _);
        Assert.Equal(1, samples[("mysqlproxy_backend_state", "backend=\"db2\",state=\"draining\"")]);
        Assert.Equal(7, samples[("mysqlproxy_backend_weight", "backend=\"db2\"")]);
        Assert.Equal(0, samples[("mysqlproxy_backend_effective_weight", "backend=\"db2\"")]);
    }

    [Fact(Timeout = 60_000)]
    public async Task OpenApi_IsJsonListingThePaths()
    {
        await using AdminInstance proxy = await AdminInstance.StartAsync();

        using HttpResponseMessage response = await proxy.Http.GetAsync("/openapi/v1.json", Ct);
        JsonElement document = await AdminInstance.ReadAsync(response, 200, Ct);

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        JsonElement paths = document.GetProperty("paths");
        foreach (string path in new[] { "/api/backends", "/api/backends/{name}", "/api/routing", "/api/routing/explain", "/api/rules", "/api/rules/{index}", "/api/sessions/pinned", "/api/queries", "/metrics", "/healthz", "/readyz" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"no {path} in the OpenAPI document");
        }

        Assert.True(paths.GetProperty("/api/backends/{name}").TryGetProperty("patch", out _));
        JsonElement schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("BackendPatch").GetProperty("properties").TryGetProperty("max_lag", out _));
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
        Assert.Equal(1, document.GetProperty("security").GetArrayLength());
        Assert.Equal(0, paths.GetProperty("/healthz").GetProperty("get").GetProperty("security").GetArrayLength());
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.25, "0.25")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Format_Number_AsTheExpositionFormatWritesIt(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Format(value));

    [Fact]
    public void Sample_LabelValue_IsEscaped()
    {
        string text = new PrometheusText().Metric("m", "gauge", "help with \\ and\nnewline").Sample("m", 1, ("l", "a\"b\\c\nd")).ToString();

        Assert.Equal("# HELP m help with \\\\ and\\nnewline\n# TYPE m gauge\nm{l=\"a\\\"b\\\\c\\nd\"} 1\n", text);
        Parse(text, out _, out _);
    }

    /// <summary>Parses exposition text strictly: every line is a comment (HELP/TYPE) or <c>name{labels} value</c>.</summary>
    private static Dictionary<(string Name, string Labels), double> Parse(string text, out Dictionary<string, string> types, out HashSet<string> helps)
    {
        types = new(StringComparer.Ordinal);
        helps = new(StringComparer.Ordinal);
        var samples = new Dictionary<(string, string), double>();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (string line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                Match comment = CommentLine().Match(line);
                Assert.True(comment.Success, $"bad comment line: {line}");
                if (comment.Groups["kind"].Value == "TYPE")
                {
                    Assert.Contains(comment.Groups["rest"].Value, new[] { "gauge", "counter", "histogram", "summary", "untyped" });
                    types[comment.Groups["name"].Value] = comment.Groups["rest"].Value;
                }
                else
                {
                    helps.Add(comment.Groups["name"].Value);
                }

                continue;
            }

            Match sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"bad sample line: {line}");
            string name = sample.Groups["name"].Value;
            string family = name;
            foreach (string suffix in new[] { "_bucket", "_sum", "_count" })
            {
                if (!types.ContainsKey(family) && name.EndsWith(suffix, StringComparison.Ordinal) && types.GetValueOrDefault(name[..^suffix.Length]) == "histogram")
                {
                    family = name[..^suffix.Length];
                }
            }

            Assert.True(types.ContainsKey(family), $"{name} has samples before its # TYPE");
            string value = sample.Groups["value"].Value;
            double number = value switch
            {
                "NaN" => double.NaN,
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            Assert.True(samples.TryAdd((name, sample.Groups["labels"].Value), number), $"duplicate series: {line}");
        }

        return samples;
    }

    [GeneratedRegex("""^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$""")]
    private static partial Regex CommentLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)\})? (?<value>NaN|[+-]Inf|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$""")]
    private static partial Regex SampleLine();
}
