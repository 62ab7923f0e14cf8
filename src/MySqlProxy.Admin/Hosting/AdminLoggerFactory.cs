using Microsoft.Extensions.Logging;

namespace MySqlProxy.Admin.Hosting;

/// <summary>
/// The proxy's logger factory as the admin web host sees it: ASP.NET Core's own categories log from Warning
/// up (as ASP.NET Core's templates set them), so each admin request does not write two Information lines.
/// </summary>
internal sealed class AdminLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private const string QuietPrefix = "Microsoft.AspNetCore";

    public ILogger CreateLogger(string categoryName)
    {
        ILogger logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith(QuietPrefix, StringComparison.Ordinal) ? new WarningAndUp(logger) : logger;
    }

    /// <summary>The proxy's factory belongs to the proxy's host; its providers are not this host's to add to or dispose.</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class WarningAndUp(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
