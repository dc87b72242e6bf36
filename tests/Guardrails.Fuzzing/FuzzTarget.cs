using System.Text;

namespace Guardrails.Fuzzing;

/// <summary>
/// A fuzzing target: runs one input through part of Guardrails and checks invariants. Any exception that escapes
/// <see cref="Run"/> is a finding: a crash of the code under test, or a <see cref="InvariantViolationException"/>.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>Inputs longer than this are cut: the fuzzers look for wrong behaviour, not for slow big inputs.</summary>
    public const int MaxInputBytes = 64 * 1024;

    /// <summary>Gets every target, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new ShellParseTarget(),
        new ShellDecisionTarget(),
        new PolicyLoadTarget(),
        new ToolCallTarget(),
    ];

    /// <summary>Gets the name used on the command line and as the corpus folder.</summary>
    public abstract string Name { get; }

    /// <summary>Gets the corpus folder the target's seeds are in (several targets share one).</summary>
    public abstract string CorpusName { get; }

    /// <summary>Gets what the target runs and checks.</summary>
    public abstract string Description { get; }

    /// <summary>Gets the afl-fuzz dictionary of the target's input language.</summary>
    public abstract string Dictionary { get; }

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Runs <paramref name="input"/> and checks the invariants; returns a short description of what the code did (the
    /// in-process fuzzer keeps inputs that produce a description it has not seen).
    /// </summary>
    /// <exception cref="InvariantViolationException">An invariant does not hold.</exception>
    public abstract string Run(ReadOnlySpan<byte> input);

    /// <summary>Decodes UTF-8 the way the hosts do (invalid bytes become U+FFFD), after cutting to <see cref="MaxInputBytes"/>.</summary>
    protected static string Text(ReadOnlySpan<byte> input) =>
        Encoding.UTF8.GetString(input.Length > MaxInputBytes ? input[..MaxInputBytes] : input);

    protected static void Require(bool condition, string invariant, string detail)
    {
        if (!condition)
        {
            throw new InvariantViolationException(invariant, detail);
        }
    }
}

/// <summary>An invariant of a fuzzing target does not hold for an input.</summary>
internal sealed class InvariantViolationException : Exception
{
    public InvariantViolationException(string invariant, string detail)
        : base($"{invariant}: {detail}")
    {
        Invariant = invariant;
    }

    public InvariantViolationException()
    {
        Invariant = string.Empty;
    }

    public InvariantViolationException(string message)
        : base(message)
    {
        Invariant = string.Empty;
    }

    public InvariantViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Invariant = string.Empty;
    }

    public string Invariant { get; }
}
