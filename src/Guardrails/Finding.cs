using Guardrails.Actions;

namespace Guardrails;

/// <summary>Explains one reason for a decision: the rule that fired, the capability at stake and the evidence.</summary>
/// <param name="RuleId">The stable, machine-readable id of the rule, for example <c>replica.launch.detached</c>.</param>
/// <param name="Capability">The capability the rule is about.</param>
/// <param name="Message">A one-sentence explanation for people and for the model.</param>
/// <param name="Score">The score the rule contributed (0 to 100).</param>
/// <param name="Effect">The verdict the rule asks for on its own, or <see cref="Verdict.Allow"/> when it only scores.</param>
/// <param name="Evidence">What in the input caused the finding.</param>
public sealed record Finding(string RuleId, Capability Capability, string Message, int Score, Verdict Effect, Evidence Evidence);

/// <summary>Points at what in a tool call caused a finding.</summary>
/// <param name="Operation">The derived operation the rule matched, or <see langword="null"/> when the finding is about the call as a whole (for example an input that could not be read).</param>
/// <param name="Source">The name of the tool-call argument the span refers to, for example <c>command</c>; empty when unknown.</param>
/// <param name="Span">The span of the argument's text.</param>
/// <param name="Text">The text the span covers (possibly shortened).</param>
public sealed record Evidence(Operation? Operation, string Source, TextSpan Span, string Text);
