using System.Globalization;

namespace Guardrails.Shell.Syntax;

/// <summary>
/// State shared by a parse and every nested parser it starts (backquote bodies are parsed from their un-escaped text
/// by a separate <see cref="Parser"/>): limits, counters, diagnostics and the scratch buffer words are assembled in.
/// </summary>
internal sealed class ParseContext
{
    /// <summary>Caps stored diagnostics so that a pathological input cannot turn into a pathological result.</summary>
    private const int MaxDiagnostics = 256;

    private readonly List<ParseDiagnostic> _diagnostics = [];

    public ParseContext(string source, ParserLimits limits)
    {
        Source = source;
        MaxDepth = Math.Max(0, limits.MaxDepth);
        MaxNodes = Math.Max(0, limits.MaxNodes);

        // Every character read while deciding whether "((" / "$((" is arithmetic is paid from this budget, which
        // keeps the re-scanning after failed guesses linear. Once spent, "((" is read as nested subshells, which
        // exposes more commands rather than fewer.
        SpeculationBudget = (8L * source.Length) + 4096;
    }

    /// <summary>Gets the original source, which every span refers to.</summary>
    public string Source { get; }

    public int MaxDepth { get; }

    public int MaxNodes { get; }

    public int Depth { get; set; }

    public int Nodes { get; set; }

    public long SpeculationBudget { get; set; }

    /// <summary>Gets a value indicating whether parsing was stopped (node limit); every read then sees end of input.</summary>
    public bool Halted { get; private set; }

    /// <summary>Gets or sets a value indicating whether a speculative <c>((</c> parse is under way.</summary>
    public bool Speculating { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the speculation under way has failed. Reads then see end of input, so
    /// everything unwinds to the speculation point, which undoes it; speculations never nest, which keeps the
    /// re-scanning bounded by <see cref="SpeculationBudget"/>.
    /// </summary>
    public bool AbortingSpeculation { get; set; }

    /// <summary>Gets a value indicating whether reads must see end of input.</summary>
    public bool Blocked => Halted || AbortingSpeculation;

    public int DiagnosticCount => _diagnostics.Count;

    /// <summary>Gets the scratch atoms of the words being assembled, used as a stack by nested words.</summary>
    /// <remarks>Borrowed from the thread for the parse (<see cref="ReturnScratch"/>); a parse started during another gets its own.</remarks>
    public List<Atom> Atoms { get; } = TakeAtoms();

    [ThreadStatic]
    private static List<Atom>? t_atoms;

    /// <summary>Gives the scratch atoms back to the thread once the parse is over.</summary>
    public void ReturnScratch()
    {
        Atoms.Clear();
        if (Atoms.Capacity <= 4096)
        {
            t_atoms = Atoms;
        }
    }

    private static List<Atom> TakeAtoms()
    {
        var atoms = t_atoms ?? new List<Atom>(64);
        t_atoms = null;
        return atoms;
    }

    public void AddDiagnostic(ParseDiagnosticKind kind, string message, TextSpan span)
    {
        if (Halted || _diagnostics.Count >= MaxDiagnostics)
        {
            return;
        }

        _diagnostics.Add(new ParseDiagnostic(kind, message, span));
    }

    /// <summary>Drops diagnostics added by a speculative parse that is being undone.</summary>
    public void TruncateDiagnostics(int count)
    {
        if (count < _diagnostics.Count)
        {
            _diagnostics.RemoveRange(count, _diagnostics.Count - count);
        }
    }

    /// <summary>Counts a node; returns <see langword="false"/> (and halts) when the node limit is exceeded.</summary>
    public bool CountNode(TextSpan span)
    {
        Nodes++;
        if (Nodes <= MaxNodes || Halted)
        {
            return !Halted;
        }

        AddDiagnostic(
            ParseDiagnosticKind.NodeLimit,
            string.Create(CultureInfo.InvariantCulture, $"more than {MaxNodes} syntax nodes; parsing stopped here"),
            span);
        Halted = true;
        return false;
    }

    public IReadOnlyList<ParseDiagnostic> FinishDiagnostics()
    {
        if (Halted && !_diagnostics.Exists(static d => d.Kind == ParseDiagnosticKind.NodeLimit))
        {
            // A speculative parse that hit the limit may have had its diagnostics undone; the halt itself stands.
            _diagnostics.Add(new ParseDiagnostic(ParseDiagnosticKind.NodeLimit, "syntax node limit exceeded; parsing stopped", new TextSpan(Source.Length, 0)));
        }

        return _diagnostics.ToArray();
    }
}

/// <summary>What an <see cref="Atom"/> of a word under construction holds.</summary>
internal enum AtomKind : byte
{
    /// <summary>A run of ordinary unquoted characters, read from the source range.</summary>
    Run,

    /// <summary>One unquoted character that may matter to brace, glob or tilde recognition.</summary>
    Char,

    /// <summary>One literal character that must not be treated as a pattern or brace character.</summary>
    Plain,

    /// <summary>A backslash-escaped character.</summary>
    Escaped,

    /// <summary>An extglob operator character (<c>@(</c>, <c>|</c>, <c>)</c>).</summary>
    GlobOp,

    /// <summary>A finished part (quoted string, expansion, substitution).</summary>
    Part,
}

/// <summary>
/// A piece of a word before brace, glob and tilde recognition, which need to see the whole word (a <c>{</c> is only a
/// brace expansion if a matching <c>}</c> and a comma follow, unquoted).
/// </summary>
internal struct Atom
{
    public int Start;
    public int End;
    public char Ch;
    public AtomKind Kind;
    public bool HadEscape;
    public WordPart? Part;
}
