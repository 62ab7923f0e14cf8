using System.ComponentModel;
using MySqlProxy.Core.Configuration;

namespace MySqlProxy.Core.Tests.Configuration;

public sealed class DurationTests
{
    [Theory]
    [InlineData("250ms", 250.0)]
    [InlineData("2s", 2_000.0)]
    [InlineData("1.5s", 1_500.0)]
    [InlineData("5m", 300_000.0)]
    [InlineData("1h", 3_600_000.0)]
    [InlineData("1d", 86_400_000.0)]
    [InlineData("500us", 0.5)]
    [InlineData("3", 3_000.0)]
    [InlineData("0.25", 250.0)]
    [InlineData("0", 0.0)]
    [InlineData("0ms", 0.0)]
    [InlineData(" 2s ", 2_000.0)]
    [InlineData("10 ms", 10.0)]
    [InlineData("2S", 2_000.0)]
    [InlineData("250MS", 250.0)]
    [InlineData("1e3ms", 1_000.0)]
    [InlineData("00:00:05", 5_000.0)]
    [InlineData("01:30:00", 5_400_000.0)]
    public void TryParse_Valid_GivesTimeSpan(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out Duration duration));

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("ms")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("-5")]
    [InlineData("5x")]
    [InlineData("5 sec")]
    [InlineData("1h30m")]
    [InlineData("1.5.2s")]
    [InlineData("1,5s")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("infinityms")]
    [InlineData("-00:00:01")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(Duration.TryParse(text, out Duration duration));
        Assert.Equal(default, duration);
    }

    [Theory]
    [InlineData("1e300s")]
    [InlineData("99999999999999")]
    [InlineData("1e18ms")]
    public void TryParse_BeyondTimeSpanRange_ReturnsFalse(string text) =>
        Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData(250.0, "250ms")]
    [InlineData(2_000.0, "2s")]
    [InlineData(1_500.0, "1500ms")]
    [InlineData(300_000.0, "300s")]
    [InlineData(0.5, "500us")]
    [InlineData(0.0, "0ms")]
    public void ToString_Value_ParsesBackToTheSameValue(double milliseconds, string text)
    {
        Duration duration = Duration.FromMilliseconds(milliseconds);

        Assert.Equal(text, duration.ToString());
        Assert.True(Duration.TryParse(duration.ToString(), out Duration parsed));
        Assert.Equal(duration, parsed);
    }

    [Fact]
    public void Converter_ValidString_GivesDuration()
    {
        TypeConverter converter = TypeDescriptor.GetConverter(typeof(Duration));

        Assert.True(converter.CanConvertFrom(typeof(string)));
        Assert.Equal(Duration.FromMilliseconds(250), converter.ConvertFromInvariantString("250ms"));
    }

    [Fact]
    public void Converter_InvalidString_ThrowsFormatExceptionShowingTheText()
    {
        TypeConverter converter = TypeDescriptor.GetConverter(typeof(Duration));

        FormatException error = Assert.Throws<FormatException>(() => converter.ConvertFromInvariantString("soon"));

        Assert.Contains("'soon'", error.Message, StringComparison.Ordinal);
    }
}
