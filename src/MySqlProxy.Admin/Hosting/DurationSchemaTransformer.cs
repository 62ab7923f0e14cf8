using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Admin.Hosting;

/// <summary>Describes <see cref="Duration"/> in the OpenAPI document as what the JSON carries: a string such as "250ms".</summary>
internal sealed class DurationSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        Type type = context.JsonTypeInfo.Type;
        if (type == typeof(Duration) || type == typeof(Duration?))
        {
            // Nullability belongs to the property that uses the shared schema, not to the schema itself.
            schema.Type = JsonSchemaType.String;
            schema.Properties?.Clear();
            schema.Description = "A duration as proxy.yaml writes it: 250ms, 2s, 5m, 1h";
            schema.Pattern = "^[0-9.]+(us|ms|s|m|h|d)?$";
        }

        return Task.CompletedTask;
    }
}
