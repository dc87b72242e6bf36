using System.Collections.Frozen;

namespace Guardrails.Shell.Programs;

/// <summary>How many values an option takes.</summary>
internal enum OptionArity : byte
{
    /// <summary>The option takes no value (a value is still recorded when written as <c>--flag=value</c>).</summary>
    Flag,

    /// <summary>The option takes a value: the rest of a short-option bundle, the text after <c>=</c>, or the next argument.</summary>
    Required,

    /// <summary>The option takes a value only when attached (<c>-i.bak</c>, <c>--backup=numbered</c>).</summary>
    Optional,
}

/// <summary>
/// Describes the command-line syntax of one program for <see cref="OptionParser"/>: which short and long options take
/// values, which names are aliases of each other, and whether option parsing stops at the first operand.
/// </summary>
/// <remarks>
/// Aliases are written <c>"long=canonical"</c> (for example <c>"recursive=r"</c> or <c>"R=r"</c>); every option is
/// reported under its canonical name, so <c>-R</c>, <c>-r</c> and <c>--recursive</c> all read as <c>r</c>. Specs are
/// built once (static fields) and are immutable.
/// </remarks>
internal sealed class OptionSpec
{
    private static readonly string[] s_singleCharacterNames = CreateSingleCharacterNames();

    private readonly OptionArity[] _shortArity = new OptionArity[128];
    private readonly bool[] _shortTerminates = new bool[128];
    private readonly string?[] _shortCanonical = new string?[128];
    private readonly FrozenDictionary<string, LongOption> _long;
    private readonly FrozenDictionary<string, LongOption>.AlternateLookup<ReadOnlySpan<char>> _longLookup;
    private readonly string[] _longNames;

    /// <summary>Initializes a new instance of the <see cref="OptionSpec"/> class.</summary>
    /// <param name="shortValues">Short option letters that take a value (<c>"tS"</c> for <c>cp</c>).</param>
    /// <param name="shortOptional">Short option letters whose value must be attached (<c>"i"</c> for <c>sed -i.bak</c>).</param>
    /// <param name="shortTerminating">Short options whose value ends option parsing (<c>"cm"</c> for <c>python -c</c>).</param>
    /// <param name="longValues">Long options that take a value.</param>
    /// <param name="longOptional">Long options whose value must be attached with <c>=</c>.</param>
    /// <param name="longFlags">Long options known to take no value (matters with <paramref name="unknownLongTakesValue"/> and abbreviations).</param>
    /// <param name="aliases">Pairs <c>"name=canonical"</c>.</param>
    /// <param name="stopAtFirstOperand">Whether parsing stops at the first operand (POSIX <c>+</c> style, wrappers).</param>
    /// <param name="abbreviations">Whether unambiguous prefixes of known long options are accepted (GNU getopt_long).</param>
    /// <param name="unknownLongTakesValue">Whether an unknown long option takes the next argument when it does not look like an option (cloud CLIs).</param>
    /// <param name="singleDashLong">Whether multi-letter options are written with one dash (<c>-name</c>, <c>-auto-approve</c>).</param>
    public OptionSpec(
        string shortValues = "",
        string shortOptional = "",
        string shortTerminating = "",
        string[]? longValues = null,
        string[]? longOptional = null,
        string[]? longFlags = null,
        string[]? aliases = null,
        bool stopAtFirstOperand = false,
        bool abbreviations = false,
        bool unknownLongTakesValue = false,
        bool singleDashLong = false)
    {
        foreach (var c in shortValues)
        {
            _shortArity[c & 0x7F] = OptionArity.Required;
        }

        foreach (var c in shortOptional)
        {
            _shortArity[c & 0x7F] = OptionArity.Optional;
        }

        foreach (var c in shortTerminating)
        {
            _shortArity[c & 0x7F] = OptionArity.Required;
            _shortTerminates[c & 0x7F] = true;
        }

        var aliasMap = new Dictionary<string, string>(StringComparer.Ordinal);
        if (aliases is not null)
        {
            foreach (var alias in aliases)
            {
                var eq = alias.IndexOf('=', StringComparison.Ordinal);
                var name = alias[..eq];
                var canonical = alias[(eq + 1)..];
                if (name.Length == 1 && !singleDashLong)
                {
                    _shortCanonical[name[0] & 0x7F] = canonical;
                }
                else
                {
                    aliasMap[name] = canonical;
                }
            }
        }

        var longs = new Dictionary<string, LongOption>(StringComparer.Ordinal);
        void AddLong(string[]? names, OptionArity arity)
        {
            if (names is null)
            {
                return;
            }

            foreach (var name in names)
            {
                longs[name] = new LongOption(aliasMap.GetValueOrDefault(name, name), arity);
            }
        }

        AddLong(longFlags, OptionArity.Flag);
        AddLong(longOptional, OptionArity.Optional);
        AddLong(longValues, OptionArity.Required);
        foreach (var (name, canonical) in aliasMap)
        {
            if (!longs.ContainsKey(name))
            {
                longs[name] = new LongOption(canonical, OptionArity.Flag);
            }
        }

        _long = longs.ToFrozenDictionary(StringComparer.Ordinal);
        _longLookup = _long.GetAlternateLookup<ReadOnlySpan<char>>();
        _longNames = [.. longs.Keys];
        StopAtFirstOperand = stopAtFirstOperand;
        Abbreviations = abbreviations;
        UnknownLongTakesValue = unknownLongTakesValue;
        SingleDashLong = singleDashLong;
    }

    /// <summary>Gets a value indicating whether parsing stops at the first operand.</summary>
    public bool StopAtFirstOperand { get; }

    /// <summary>Gets a value indicating whether unambiguous long-option prefixes are accepted.</summary>
    public bool Abbreviations { get; }

    /// <summary>Gets a value indicating whether unknown long options take the next argument.</summary>
    public bool UnknownLongTakesValue { get; }

    /// <summary>Gets a value indicating whether multi-letter options use a single dash.</summary>
    public bool SingleDashLong { get; }

    /// <summary>Gets the single-character string for an ASCII character (cached, no allocation).</summary>
    public static string CharName(char c) => c < 128 ? s_singleCharacterNames[c] : c.ToString();

    /// <summary>Gets the arity of a short option.</summary>
    public OptionArity ShortArity(char c) => c < 128 ? _shortArity[c] : OptionArity.Flag;

    /// <summary>Gets a value indicating whether a short option's value ends option parsing.</summary>
    public bool ShortTerminates(char c) => c < 128 && _shortTerminates[c];

    /// <summary>Gets the canonical name of a short option.</summary>
    public string ShortName(char c) => (c < 128 ? _shortCanonical[c] : null) ?? CharName(c);

    /// <summary>Looks a long option up by its exact name or, when allowed, an unambiguous prefix.</summary>
    public bool TryGetLong(ReadOnlySpan<char> name, out LongOption option)
    {
        if (_longLookup.TryGetValue(name, out option))
        {
            return true;
        }

        if (!Abbreviations || name.Length < 2)
        {
            return false;
        }

        string? match = null;
        foreach (var candidate in _longNames)
        {
            if (candidate.AsSpan().StartsWith(name, StringComparison.Ordinal))
            {
                if (match is not null && !string.Equals(_long[match].Canonical, _long[candidate].Canonical, StringComparison.Ordinal))
                {
                    return false;
                }

                match = candidate;
            }
        }

        if (match is null)
        {
            return false;
        }

        option = _long[match];
        return true;
    }

    private static string[] CreateSingleCharacterNames()
    {
        var names = new string[128];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = ((char)i).ToString();
        }

        return names;
    }

    /// <summary>A known long option.</summary>
    /// <param name="Canonical">The name it is reported under.</param>
    /// <param name="Arity">Whether it takes a value.</param>
    internal readonly record struct LongOption(string Canonical, OptionArity Arity);
}

/// <summary>One option found on a command line.</summary>
/// <param name="Name">The canonical name (<c>r</c> for <c>-R</c>/<c>--recursive</c> when so aliased; long names without dashes).</param>
/// <param name="Value">The value, or <see langword="null"/> when the option has none.</param>
/// <param name="Index">The index of the argument holding the option.</param>
/// <param name="ValueIndex">The index of the argument holding the value (equal to <paramref name="Index"/> when attached), or -1.</param>
internal readonly record struct ParsedOption(string Name, string? Value, int Index, int ValueIndex);

/// <summary>The result of <see cref="OptionParser.Parse"/>: options in order and the indices of the operands.</summary>
internal sealed class ParsedArguments
{
    public ParsedArguments(IReadOnlyList<string> arguments) => Arguments = arguments;

    /// <summary>Gets the argument vector parsed.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Gets the options, in command-line order.</summary>
    public List<ParsedOption> Options { get; } = [];

    /// <summary>Gets the argument indices of the operands, in order.</summary>
    public List<int> Operands { get; } = [];

    /// <summary>Gets the index where option parsing stopped (first operand in stop mode, the argument after <c>--</c> or after a terminating option), or -1.</summary>
    public int RestIndex { get; set; } = -1;

    /// <summary>Gets the index of the <c>--</c> that ended option parsing, or -1.</summary>
    public int DoubleDashIndex { get; set; } = -1;

    /// <summary>Gets the number of operands.</summary>
    public int OperandCount => Operands.Count;

    /// <summary>Gets the text of operand <paramref name="k"/>.</summary>
    public string Operand(int k) => Arguments[Operands[k]];

    /// <summary>Gets whether an option with the canonical name is present.</summary>
    public bool Has(string name)
    {
        foreach (var option in Options)
        {
            if (string.Equals(option.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets whether any of two options is present.</summary>
    public bool Has(string name, string other) => Has(name) || Has(other);

    /// <summary>Gets the last occurrence of an option, or <see langword="null"/>.</summary>
    public ParsedOption? Last(string name)
    {
        for (var i = Options.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Options[i].Name, name, StringComparison.Ordinal))
            {
                return Options[i];
            }
        }

        return null;
    }

    /// <summary>Gets the value of the last occurrence of an option, or <see langword="null"/>.</summary>
    public string? Value(string name) => Last(name)?.Value;
}

/// <summary>
/// A getopt-like parser configured by an <see cref="OptionSpec"/>: combined short flags (<c>-rf</c>), attached and
/// separate values (<c>-tDIR</c>, <c>-t DIR</c>, <c>--target-directory=DIR</c>, <c>--opt value</c>), <c>--</c>, a lone
/// <c>-</c> operand, and options after operands unless the spec stops at the first operand.
/// </summary>
internal static class OptionParser
{
    /// <summary>Parses <paramref name="arguments"/> from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive, default: all).</summary>
    public static ParsedArguments Parse(IReadOnlyList<string> arguments, OptionSpec spec, int start = 0, int end = -1)
    {
        var parsed = new ParsedArguments(arguments);
        ParseInto(parsed, spec, start, end);
        return parsed;
    }

    /// <summary>Parses into an existing result (for programs with a custom prefix such as old-style <c>tar czf</c>).</summary>
    public static void ParseInto(ParsedArguments parsed, OptionSpec spec, int start, int end = -1)
    {
        var arguments = parsed.Arguments;
        if (end < 0 || end > arguments.Count)
        {
            end = arguments.Count;
        }

        var stopped = false;
        for (var i = start; i < end; i++)
        {
            var arg = arguments[i];
            if (stopped)
            {
                parsed.Operands.Add(i);
                continue;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                parsed.Operands.Add(i);
                if (spec.StopAtFirstOperand)
                {
                    stopped = true;
                    parsed.RestIndex = i;
                }

                continue;
            }

            if (arg[1] == '-')
            {
                if (arg.Length == 2)
                {
                    stopped = true;
                    parsed.DoubleDashIndex = i;
                    parsed.RestIndex = i + 1;
                    continue;
                }

                i = ParseLong(parsed, spec, arg, 2, i, end);
                continue;
            }

            if (spec.SingleDashLong && arg.Length > 2)
            {
                i = ParseLong(parsed, spec, arg, 1, i, end);
                continue;
            }

            i = ParseShortBundle(parsed, spec, arg, i, end, ref stopped);
        }
    }

    private static int ParseLong(ParsedArguments parsed, OptionSpec spec, string arg, int nameStart, int i, int end)
    {
        var arguments = parsed.Arguments;
        var eq = arg.IndexOf('=', nameStart);
        var nameSpan = eq < 0 ? arg.AsSpan(nameStart) : arg.AsSpan(nameStart, eq - nameStart);
        string name;
        OptionArity arity;
        var known = spec.TryGetLong(nameSpan, out var option);
        if (known)
        {
            name = option.Canonical;
            arity = option.Arity;
        }
        else
        {
            name = nameSpan.ToString();
            arity = OptionArity.Flag;
        }

        if (eq >= 0)
        {
            parsed.Options.Add(new ParsedOption(name, arg[(eq + 1)..], i, i));
            return i;
        }

        if (arity == OptionArity.Required && i + 1 < end)
        {
            parsed.Options.Add(new ParsedOption(name, arguments[i + 1], i, i + 1));
            return i + 1;
        }

        if (!known && spec.UnknownLongTakesValue && i + 1 < end && !LooksLikeOption(arguments[i + 1]))
        {
            parsed.Options.Add(new ParsedOption(name, arguments[i + 1], i, i + 1));
            return i + 1;
        }

        parsed.Options.Add(new ParsedOption(name, null, i, -1));
        return i;
    }

    private static int ParseShortBundle(ParsedArguments parsed, OptionSpec spec, string arg, int i, int end, ref bool stopped)
    {
        var arguments = parsed.Arguments;
        for (var j = 1; j < arg.Length; j++)
        {
            var c = arg[j];
            var name = spec.ShortName(c);
            switch (spec.ShortArity(c))
            {
                case OptionArity.Required:
                    if (j + 1 < arg.Length)
                    {
                        parsed.Options.Add(new ParsedOption(name, arg[(j + 1)..], i, i));
                    }
                    else if (i + 1 < end)
                    {
                        i++;
                        parsed.Options.Add(new ParsedOption(name, arguments[i], i - 1, i));
                    }
                    else
                    {
                        parsed.Options.Add(new ParsedOption(name, null, i, -1));
                    }

                    if (spec.ShortTerminates(c))
                    {
                        stopped = true;
                        parsed.RestIndex = i + 1;
                    }

                    return i;
                case OptionArity.Optional:
                    parsed.Options.Add(j + 1 < arg.Length
                        ? new ParsedOption(name, arg[(j + 1)..], i, i)
                        : new ParsedOption(name, null, i, -1));
                    return i;
                default:
                    parsed.Options.Add(new ParsedOption(name, null, i, -1));
                    break;
            }
        }

        return i;
    }

    private static bool LooksLikeOption(string arg) => arg.Length > 1 && arg[0] == '-';
}
