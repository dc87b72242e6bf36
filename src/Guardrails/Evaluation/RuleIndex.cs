using Guardrails.Actions;

namespace Guardrails.Evaluation;

/// <summary>
/// Finds the rules that can possibly match an operation without scanning every rule: rules are bucketed by operation
/// kind and, within a kind, by the capabilities their condition requires. Only the buckets of the operation's kind and
/// capabilities are visited, so a policy with 10,000 rules costs about as much as one with 100.
/// </summary>
internal sealed class RuleIndex
{
    private const int CapabilityBuckets = 64;

    // [kind][bucket] where bucket 0..63 = rules requiring that capability bit, 64 = rules with no capability condition.
    private readonly CompiledRule[][][] _buckets;

    public RuleIndex(IReadOnlyList<CompiledRule> rules)
    {
        var kinds = Enum.GetValues<OperationKind>().Length;
        var lists = new List<CompiledRule>[kinds, CapabilityBuckets + 1];
        foreach (var rule in rules)
        {
            var condition = rule.Condition;
            if (condition.HasCapabilities && condition.Capabilities == 0)
            {
                continue; // names only capabilities the classifier never produces: cannot match
            }

            for (var kind = 0; kind < kinds; kind++)
            {
                if (condition.Operations != 0 && (condition.Operations & (1u << kind)) == 0)
                {
                    continue;
                }

                if (!condition.HasCapabilities)
                {
                    (lists[kind, CapabilityBuckets] ??= []).Add(rule);
                    continue;
                }

                for (var bit = 0; bit < CapabilityBuckets; bit++)
                {
                    if ((condition.Capabilities & (1UL << bit)) != 0)
                    {
                        (lists[kind, bit] ??= []).Add(rule);
                    }
                }
            }
        }

        _buckets = new CompiledRule[kinds][][];
        for (var kind = 0; kind < kinds; kind++)
        {
            _buckets[kind] = new CompiledRule[CapabilityBuckets + 1][];
            for (var bucket = 0; bucket <= CapabilityBuckets; bucket++)
            {
                _buckets[kind][bucket] = lists[kind, bucket]?.ToArray() ?? [];
            }
        }
    }

    /// <summary>Gets the rules with no capability condition that apply to <paramref name="kind"/>.</summary>
    public CompiledRule[] Unconditioned(OperationKind kind) => _buckets[(int)kind][CapabilityBuckets];

    /// <summary>Gets the rules that require capability bit <paramref name="bit"/> and apply to <paramref name="kind"/>.</summary>
    public CompiledRule[] ForCapability(OperationKind kind, int bit) => _buckets[(int)kind][bit];
}
