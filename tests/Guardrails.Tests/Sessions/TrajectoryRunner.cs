using System.Text;
using System.Text.Json;

namespace Guardrails.Tests.Sessions;

/// <summary>One step of a written trajectory: a tool call (or a host notice) and the decision it must get.</summary>
internal sealed record Step(ToolCall? Call, bool Notice, Verdict Expected, string? Rule, string Label)
{
    /// <summary>A shell call (tool <c>bash</c>).</summary>
    public static Step Shell(string command, Verdict expected, string? rule = null, string? cwd = TestGuards.Home) =>
        new(ToolCall.Shell(command, cwd), false, expected, rule, command);

    /// <summary>A call of any tool with JSON-serialisable arguments.</summary>
    public static Step Tool(string tool, object arguments, Verdict expected, string? rule = null, string? cwd = TestGuards.Home) =>
        new(new ToolCall(tool, JsonSerializer.SerializeToElement(arguments)) { WorkingDirectory = cwd }, false, expected, rule, tool + " " + JsonSerializer.Serialize(arguments));

    /// <summary>The host tells the agent it will be shut down.</summary>
    public static Step ShutdownNotice() => new(null, true, Verdict.Allow, null, "(notice: shutdown)");
}

/// <summary>Replays a written trajectory through a guard, as one session, and checks the decision of every step.</summary>
internal static class TrajectoryRunner
{
    /// <summary>Runs <paramref name="steps"/> in session <paramref name="session"/>; fails listing every step whose decision differs.</summary>
    public static IReadOnlyList<Decision?> Run(Guard guard, string session, params Step[] steps)
    {
        var decisions = new List<Decision?>();
        var problems = new StringBuilder();
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            if (step.Notice)
            {
                guard.RecordShutdownNotice(session);
                decisions.Add(null);
                continue;
            }

            var call = new ToolCall(step.Call!.Name, step.Call.Arguments) { SessionId = session, WorkingDirectory = step.Call.WorkingDirectory, CallId = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var decision = guard.Evaluate(call);
            decisions.Add(decision);
            var verdictOk = decision.Verdict == step.Expected;
            var ruleOk = step.Rule is null || decision.RuleIds.Contains(step.Rule);
            if (!verdictOk || !ruleOk)
            {
                problems.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"step {i + 1} `{step.Label}`: expected {step.Expected}{(step.Rule is null ? string.Empty : " by " + step.Rule)}, got {decision}");
            }
        }

        problems.ToString().Should().BeEmpty("every step of the trajectory must get its expected decision");
        return decisions;
    }
}
