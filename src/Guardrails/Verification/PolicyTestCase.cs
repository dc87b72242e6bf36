namespace Guardrails.Verification;

/// <summary>Identifies the outcome a policy test case expects.</summary>
public enum ExpectedVerdict
{
    /// <summary>Every call of the case is allowed.</summary>
    Allow,

    /// <summary>The most restrictive verdict of the case is escalate.</summary>
    Escalate,

    /// <summary>The most restrictive verdict of the case is deny.</summary>
    Deny,

    /// <summary>The case is stopped: its most restrictive verdict is escalate or deny (written <c>block</c>).</summary>
    Block,
}

/// <summary>
/// Represents one case of a declarative policy test file: a tool call, or a short session of tool calls, with the
/// verdict the policy must reach and, optionally, the rules that must or must not fire.
/// </summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class PolicyTestCase
{
    internal PolicyTestCase(string name, IReadOnlyList<PolicyTestStep> steps, ExpectedVerdict expect, IReadOnlyList<string> rules, IReadOnlyList<string> notRules, bool mutate, string file, int line, int column)
    {
        Name = name;
        Steps = steps;
        Expect = expect;
        Rules = rules;
        NotRules = notRules;
        Mutate = mutate;
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>Gets the name of the case, unique within its file.</summary>
    public string Name { get; }

    /// <summary>Gets the tool calls of the case, in order; one for a single call, several for a session.</summary>
    public IReadOnlyList<PolicyTestStep> Steps { get; }

    /// <summary>Gets a value indicating whether the case is a session of more than one call.</summary>
    public bool IsSession => Steps.Count > 1;

    /// <summary>Gets the verdict the case expects: compared with the most restrictive verdict of its calls.</summary>
    public ExpectedVerdict Expect { get; }

    /// <summary>Gets the ids of the rules that must fire on at least one call of the case.</summary>
    public IReadOnlyList<string> Rules { get; }

    /// <summary>Gets the ids of the rules that must not fire on any call of the case.</summary>
    public IReadOnlyList<string> NotRules { get; }

    /// <summary>Gets a value indicating whether <c>guardrails test --mutate</c> generates bypass variants of this case (when it expects escalate or deny).</summary>
    public bool Mutate { get; }

    /// <summary>Gets the test file the case is written in.</summary>
    public string File { get; }

    /// <summary>Gets the 1-based line of the case in <see cref="File"/>, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column of the case in <see cref="File"/>, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>Returns the case name.</summary>
    /// <returns>The case name.</returns>
    public override string ToString() => Name;
}

/// <summary>Represents one tool call of a policy test case, with an optional verdict expected for that call alone.</summary>
/// <remarks>Instances are immutable.</remarks>
public sealed class PolicyTestStep
{
    internal PolicyTestStep(ToolCall call, string? command, ExpectedVerdict? expect)
    {
        Call = call;
        Command = command;
        Expect = expect;
    }

    /// <summary>Gets the tool call.</summary>
    public ToolCall Call { get; }

    /// <summary>Gets the shell command, when the step was written as one (a <c>bash</c> call); otherwise <see langword="null"/>.</summary>
    public string? Command { get; }

    /// <summary>Gets the verdict expected for this call alone, or <see langword="null"/> when only the case's verdict counts.</summary>
    public ExpectedVerdict? Expect { get; }

    /// <summary>Returns the command, or the tool name and arguments of the call.</summary>
    /// <returns>A one-line description of the call.</returns>
    public override string ToString() => Command ?? $"{Call.Name} {(Call.Arguments.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "{}" : Call.Arguments.GetRawText())}";
}
