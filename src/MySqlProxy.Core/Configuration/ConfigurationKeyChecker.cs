using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace MySqlProxy.Core.Configuration;

/// <summary>
/// Finds keys in the configuration that no option binds to (a typo such as <c>weigth</c>), so start-up can
/// refuse them by their full path instead of ignoring them.
/// </summary>
public static class ConfigurationKeyChecker
{
    /// <summary>Paths (as in the file, with <c>.</c> and <c>[i]</c>) of keys that <typeparamref name="T"/> has no place for.</summary>
    public static IReadOnlyList<string> FindUnknownKeys<T>(IConfiguration configuration, IEnumerable<string>? ignoredTopLevelKeys = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var unknown = new List<string>();
        var ignored = new HashSet<string>(ignoredTopLevelKeys ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            if (!ignored.Contains(child.Key))
            {
                Check(child, typeof(T), child.Key, unknown);
            }
        }

        return unknown;
    }

    private static void Check(IConfigurationSection section, Type owner, string path, List<string> unknown)
    {
        PropertyInfo? property = FindProperty(owner, section.Key);
        if (property is null)
        {
            unknown.Add(path);
            return;
        }

        CheckValue(section, property.PropertyType, path, unknown);
    }

    private static void CheckValue(IConfigurationSection section, Type type, string path, List<string> unknown)
    {
        Type? element = ElementType(type);
        if (element is not null)
        {
            foreach (IConfigurationSection item in section.GetChildren())
            {
                CheckValue(item, element, $"{path}[{item.Key}]", unknown);
            }

            return;
        }

        if (IsLeaf(type))
        {
            return;
        }

        foreach (IConfigurationSection child in section.GetChildren())
        {
            Check(child, type, $"{path}.{child.Key}", unknown);
        }
    }

    private static PropertyInfo? FindProperty(Type owner, string key)
    {
        foreach (PropertyInfo property in owner.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(property.Name, key.Replace("_", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            {
                return property;
            }
        }

        return null;
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType ? type.GetGenericArguments()[^1] : null;
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Duration) ||
        type == typeof(TimeSpan) || Nullable.GetUnderlyingType(type) is not null;
}
