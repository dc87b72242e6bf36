namespace Guardrails.Telemetry;

/// <summary>Names of the telemetry sources Guardrails publishes, for OpenTelemetry configuration.</summary>
public static class GuardrailsTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: counters and histograms of decisions.</summary>
    public const string MeterName = "Guardrails";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> that traces decisions.</summary>
    public const string ActivitySourceName = "Guardrails";

    /// <summary>The counter of decisions, tagged <c>guardrails.verdict</c> and <c>gen_ai.tool.name</c>.</summary>
    public const string DecisionsCounter = "guardrails.decisions";

    /// <summary>The histogram of evaluation time in seconds, tagged <c>guardrails.verdict</c>.</summary>
    public const string DurationHistogram = "guardrails.evaluation.duration";

    /// <summary>The counter of escalations resolved by an approval handler, tagged <c>guardrails.approved</c>.</summary>
    public const string ApprovalsCounter = "guardrails.approvals";
}
