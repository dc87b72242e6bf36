using System.Globalization;
using System.Text;
using Guardrails.Verification;

namespace Guardrails.Testing;

/// <summary>Describes decisions and test results for failure messages: verdict, score, findings and derived operations.</summary>
internal static class DecisionFormatter
{
    public static string Verdict(Verdict verdict) => verdict switch
    {
        Guardrails.Verdict.Allow => "allow",
        Guardrails.Verdict.Escalate => "escalate",
        _ => "deny",
    };

    public static string Describe(Decision decision)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{Verdict(decision.Verdict)} (score {decision.Score}) under {decision.PolicyName}");
        if (decision.ShadowVerdict is { } shadow)
        {
            builder.Append(CultureInfo.InvariantCulture, $", audit mode: enforcement would {Verdict(shadow)}");
        }

        if (decision.Error is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $", error: {decision.Error}");
        }

        if (decision.Findings.Count == 0)
        {
            builder.Append("; no findings");
        }
        else
        {
            builder.Append("; findings:");
            foreach (var finding in decision.Findings)
            {
                builder.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  - {finding.RuleId} [{finding.Capability}] {Verdict(finding.Effect)} {finding.Score}: {finding.Message}");
                if (finding.Evidence.Text.Length > 0)
                {
                    builder.Append(CultureInfo.InvariantCulture, $" (at \"{finding.Evidence.Text}\")");
                }
            }
        }

        if (decision.Operations.Count > 0)
        {
            builder.Append(Environment.NewLine).Append("  operations: ");
            builder.Append(string.Join("; ", decision.Operations.Select(o =>
                o.Operation.Kind.ToString() + (o.Capabilities.Count == 0 ? string.Empty : " [" + string.Join(", ", o.Capabilities.Select(c => c.Value)) + "]"))));
        }

        return builder.ToString();
    }

    public static string Describe(PolicyTestResult result)
    {
        var builder = new StringBuilder();
        var testCase = result.Case;
        builder.Append(CultureInfo.InvariantCulture, $"case '{testCase.Name}' ({testCase.File}{(testCase.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $":{testCase.Line}:{testCase.Column}") : string.Empty)}) failed:");
        foreach (var failure in result.Failures)
        {
            builder.Append(Environment.NewLine).Append("  ").Append(failure);
        }

        builder.Append(Environment.NewLine).Append("  - expected: ").Append(Expected(testCase.Expect));
        builder.Append(Environment.NewLine).Append("  + actual:   ").Append(Verdict(result.Actual));
        for (var i = 0; i < result.Decisions.Count; i++)
        {
            builder.Append(Environment.NewLine).Append(testCase.IsSession ? string.Create(CultureInfo.InvariantCulture, $"  call {i + 1}: ") : "  call: ").Append(testCase.Steps[i]);
            builder.Append(Environment.NewLine).Append("    ").Append(Describe(result.Decisions[i]).Replace(Environment.NewLine, Environment.NewLine + "    ", StringComparison.Ordinal));
        }

        return builder.ToString();
    }

    public static string Expected(ExpectedVerdict expected) => expected switch
    {
        ExpectedVerdict.Allow => "allow",
        ExpectedVerdict.Escalate => "escalate",
        ExpectedVerdict.Deny => "deny",
        _ => "block (escalate or deny)",
    };
}
