using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MySqlProxy.Admin.Hosting;

/// <summary>Tells OpenAPI clients that every path but the probes needs <c>Authorization: Bearer &lt;admin.token&gt;</c>.</summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    private const string SchemeName = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info.Title = "MySqlProxy admin endpoint";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = SchemeName,
            Description = "admin.token from proxy.yaml",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });

        // The probes answer without a token: an empty requirement list overrides the document's.
        foreach (string probe in (string[])["/healthz", "/readyz"])
        {
            if (document.Paths.TryGetValue(probe, out IOpenApiPathItem? item) && item.Operations is { } operations)
            {
                foreach (OpenApiOperation operation in operations.Values)
                {
                    operation.Security = [];
                }
            }
        }

        return Task.CompletedTask;
    }
}
