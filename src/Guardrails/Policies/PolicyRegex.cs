using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Guardrails.Policies;

// A policy's argument regex. Policy regexes never backtrack (RegexOptions.NonBacktracking), so no input can make
// matching slow; the price is construction: building the symbolic automaton costs about 1.7 ms per pattern in a
// Native AOT process, more than the rest of loading the default policy. So the compiled policy holds the pattern and
// constructs the regex on its first match, which a single `guardrails hook` decision usually never reaches.
//
// Validation is not deferred: the validator constructs every pattern of a policy file when it loads (Validate), and
// hands the instance to the compiler through a weak table keyed by the pattern string object, so a pattern that was
// validated is not constructed twice. Only the embedded builtin policies skip the construction at load: they are part
// of the assembly, and a test constructs each of their patterns.
internal sealed class PolicyRegex
{
    /// <summary>The options of every policy regex.</summary>
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // Pattern string object → the regex the validator constructed from it (strings of a loaded document are shared
    // by the merged document the compiler reads). Weak: an entry lives as long as the document's string.
    private static readonly ConditionalWeakTable<string, Regex> Validated = [];

    private Regex? _regex;

    /// <summary>Initializes a new instance of the <see cref="PolicyRegex"/> class; no regex is constructed yet.</summary>
    /// <param name="pattern">The pattern, validated when its policy loaded.</param>
    public PolicyRegex(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        Validated.TryGetValue(pattern, out _regex);
    }

    /// <summary>Gets the pattern.</summary>
    public string Pattern { get; }

    /// <summary>Gets the regex, constructing it on first use (thread-safe; a race constructs it twice and keeps one).</summary>
    /// <exception cref="ArgumentException">The pattern is invalid (only possible for a pattern that was never validated).</exception>
    /// <exception cref="NotSupportedException">The pattern needs backtracking (as above).</exception>
    public Regex Regex => Volatile.Read(ref _regex) ?? Construct();

    /// <summary>Constructs a policy regex now.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <returns>The regex.</returns>
    /// <exception cref="ArgumentException">The pattern is invalid.</exception>
    /// <exception cref="NotSupportedException">The pattern needs backtracking.</exception>
    public static Regex Create(string pattern) => new(pattern, Options);

    /// <summary>Constructs <paramref name="pattern"/> to validate it, and keeps the result for the compiler.</summary>
    /// <param name="pattern">The pattern string object of a policy document.</param>
    /// <exception cref="ArgumentException">The pattern is invalid.</exception>
    /// <exception cref="NotSupportedException">The pattern needs backtracking.</exception>
    public static void Validate(string pattern) => Validated.AddOrUpdate(pattern, Create(pattern));

    /// <summary>Determines whether the regex matches somewhere in <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> on a match.</returns>
    public bool IsMatch(string text) => Regex.IsMatch(text);

    /// <inheritdoc/>
    public override string ToString() => Pattern;

    private Regex Construct()
    {
        var regex = Create(Pattern);
        return Interlocked.CompareExchange(ref _regex, regex, null) ?? regex;
    }
}
