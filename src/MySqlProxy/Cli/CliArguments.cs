namespace MySqlProxy.Cli;

/// <summary>A small parser for <c>--name value</c>, <c>--name=value</c> and flags, with positional words kept in order.</summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public CliArguments(string[] args, IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flags);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = a.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    _options[a[2..eq]] = a[(eq + 1)..];
                }
                else if (flags.Contains(a[2..]))
                {
                    _options[a[2..]] = null;
                }
                else if (i + 1 < args.Length)
                {
                    _options[a[2..]] = args[++i];
                }
                else
                {
                    throw new CliException($"{a} needs a value");
                }
            }
            else
            {
                Positional.Add(a);
            }
        }
    }

    public List<string> Positional { get; } = [];

    public IEnumerable<string> Names => _options.Keys;

    public string? Get(string name) => _options.TryGetValue(name, out string? v) ? v : null;

    public bool Has(string name) => _options.ContainsKey(name);
}

/// <summary>A command line the command cannot run (exit 2, message on stderr).</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
