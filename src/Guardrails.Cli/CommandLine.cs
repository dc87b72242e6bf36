namespace Guardrails.Cli;

/// <summary>
/// Parses the arguments of one command: <c>--name VALUE</c>, <c>--name=VALUE</c>, flags, positionals, <c>--</c> to end
/// the options, and <c>-h</c>/<c>--help</c>.
/// </summary>
/// <remarks>Deliberately strict: unknown options, missing or empty values and repeated options are usage errors.</remarks>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private CommandLine(Dictionary<string, string> values, HashSet<string> flags, List<string> positionals, bool help)
    {
        _values = values;
        _flags = flags;
        Positionals = positionals;
        HelpRequested = help;
    }

    /// <summary>Gets the arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Gets a value indicating whether <c>-h</c> or <c>--help</c> was given.</summary>
    public bool HelpRequested { get; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The arguments after the command name.</param>
    /// <param name="valueOptions">The options that take a value, with their leading dashes, for example <c>--policy</c>.</param>
    /// <param name="flagOptions">The options that take no value, for example <c>--json</c>.</param>
    /// <param name="result">The parsed command line, when the arguments are valid.</param>
    /// <param name="error">What is wrong, when they are not.</param>
    /// <returns><see langword="true"/> when the arguments are valid.</returns>
    public static bool TryParse(
        ReadOnlySpan<string> args,
        ReadOnlySpan<string> valueOptions,
        ReadOnlySpan<string> flagOptions,
        out CommandLine result,
        out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var help = false;
        result = new CommandLine(values, flags, positionals, help);
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                for (i++; i < args.Length; i++)
                {
                    positionals.Add(args[i]);
                }

                break;
            }

            if (arg is "-h" or "--help" or "-?")
            {
                help = true;
                continue;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                positionals.Add(arg); // includes "-", which means standard input
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (Contains(flagOptions, name))
            {
                if (equals > 0)
                {
                    error = $"option '{name}' does not take a value";
                    return false;
                }

                if (!flags.Add(name))
                {
                    error = $"option '{name}' is given more than once";
                    return false;
                }

                continue;
            }

            if (!Contains(valueOptions, name))
            {
                error = $"unknown option '{name}'";
                return false;
            }

            string? value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                value = null;
            }

            if (string.IsNullOrEmpty(value))
            {
                error = $"option '{name}' needs a value";
                return false;
            }

            if (!values.TryAdd(name, value))
            {
                error = $"option '{name}' is given more than once";
                return false;
            }
        }

        result = new CommandLine(values, flags, positionals, help);
        return true;
    }

    /// <summary>Gets the value of an option, or <see langword="null"/> when it was not given.</summary>
    /// <param name="name">The option name with its dashes.</param>
    /// <returns>The value.</returns>
    public string? Value(string name) => _values.GetValueOrDefault(name);

    /// <summary>Gets a value indicating whether a flag was given.</summary>
    /// <param name="name">The flag name with its dashes.</param>
    /// <returns><see langword="true"/> when the flag was given.</returns>
    public bool Flag(string name) => _flags.Contains(name);

    private static bool Contains(ReadOnlySpan<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
