using System.ComponentModel;
using System.Globalization;

namespace MySqlProxy.Core.Configuration;

/// <summary>
/// A time span written the way operators write it in proxy.yaml: <c>250ms</c>, <c>2s</c>, <c>1.5s</c>,
/// <c>5m</c>, <c>1h</c>, <c>500us</c>; a bare number means seconds.
/// </summary>
[TypeConverter(typeof(DurationConverter))]
public readonly record struct Duration(TimeSpan Value)
{
    public static Duration FromMilliseconds(double milliseconds) => new(TimeSpan.FromMilliseconds(milliseconds));

    public static Duration FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));

    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim();
        (string suffix, double factorMs)[] units = [("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach ((string suffix, double factorMs) in units.OrderByDescending(u => u.suffix.Length))
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                double.TryParse(s.AsSpan(0, s.Length - suffix.Length).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double n) &&
                n >= 0 && double.IsFinite(n))
            {
                return TryFromMilliseconds(n * factorMs, out duration);
            }
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && double.IsFinite(seconds))
        {
            return TryFromMilliseconds(seconds * 1000, out duration);
        }

        if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan span) && span >= TimeSpan.Zero)
        {
            duration = new Duration(span);
            return true;
        }

        return false;
    }

    private static bool TryFromMilliseconds(double milliseconds, out Duration duration)
    {
        // Beyond TimeSpan's range is not a duration anyone means; refuse it instead of overflowing.
        if (milliseconds >= TimeSpan.MaxValue.TotalMilliseconds)
        {
            duration = default;
            return false;
        }

        duration = FromMilliseconds(milliseconds);
        return true;
    }

    public override string ToString()
    {
        TimeSpan v = Value;
        if (v.TotalMilliseconds < 1 && v > TimeSpan.Zero)
        {
            return FormattableString.Invariant($"{v.TotalMicroseconds}us");
        }

        if (v.TotalSeconds < 1 || v.Milliseconds != 0)
        {
            return FormattableString.Invariant($"{v.TotalMilliseconds}ms");
        }

        return FormattableString.Invariant($"{v.TotalSeconds}s");
    }
}

/// <summary>Lets the configuration binder turn "250ms" into a <see cref="Duration"/>.</summary>
internal sealed class DurationConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is string text)
        {
            return Duration.TryParse(text, out Duration duration)
                ? duration
                : throw new FormatException($"'{text}' is not a duration; write it as 250ms, 2s, 5m or 1h");
        }

        return base.ConvertFrom(context, culture, value);
    }
}
