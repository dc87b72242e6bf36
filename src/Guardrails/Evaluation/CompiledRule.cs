using Guardrails.Actions;

namespace Guardrails.Evaluation;

/// <summary>What a rule does when its condition matches.</summary>
internal enum RuleEffect
{
    /// <summary>Adds its score; the thresholds decide.</summary>
    Score,

    /// <summary>Forces at least escalate.</summary>
    Escalate,

    /// <summary>Forces deny.</summary>
    Deny,

    /// <summary>An exception: suppresses other findings on the operations it matches.</summary>
    Allow,
}

/// <summary>One rule of a compiled policy.</summary>
internal sealed class CompiledRule
{
    public required int Index { get; init; }

    public required string Id { get; init; }

    public required string Message { get; init; }

    public string? Description { get; init; }

    /// <summary>The capability named in findings, or <see langword="null"/> to use the operation's first matching capability.</summary>
    public Capability? Capability { get; init; }

    public required RuleEffect Effect { get; init; }

    public required int Score { get; init; }

    public required CompiledCondition Condition { get; init; }

    /// <summary>For allow rules: the rule ids whose findings are suppressed; empty means all.</summary>
    public IReadOnlySet<string> SuppressedRules { get; init; } = new HashSet<string>();

    /// <summary>For allow rules: the capabilities whose findings are suppressed; empty (together with <see cref="SuppressedRules"/>) means all.</summary>
    public ulong SuppressedCapabilities { get; init; }

    /// <summary>The verdict this rule asks for on its own.</summary>
    public Verdict EffectVerdict => Effect switch
    {
        RuleEffect.Deny => Verdict.Deny,
        RuleEffect.Escalate => Verdict.Escalate,
        _ => Verdict.Allow,
    };

    /// <summary>Determines whether this allow rule suppresses a finding of <paramref name="rule"/> on an operation with <paramref name="capabilityBit"/>.</summary>
    public bool Suppresses(CompiledRule rule, ulong capabilityBit)
    {
        if (SuppressedRules.Count == 0 && SuppressedCapabilities == 0)
        {
            return true;
        }

        return SuppressedRules.Contains(rule.Id) || (SuppressedCapabilities & capabilityBit) != 0;
    }
}
