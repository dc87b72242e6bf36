namespace Guardrails;

/// <summary>Identifies the outcome of a decision, ordered from least to most restrictive.</summary>
public enum Verdict
{
    /// <summary>The tool call may run.</summary>
    Allow = 0,

    /// <summary>A human or an approval service must approve the call; without an answer in time it is denied.</summary>
    Escalate = 1,

    /// <summary>The tool call must not run.</summary>
    Deny = 2,
}
