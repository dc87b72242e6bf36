using System.Text.Json;
using Guardrails;
using Microsoft.Extensions.AI;

namespace ReplicationDemo;

/// <summary>Prints the demo: each step, each decision with its reasons, what the model reads back, and the summary.</summary>
internal sealed class Report
{
    private const int Width = 118;

    private readonly TextWriter _out;
    private readonly bool _color;
    private readonly Lock _gate = new();
    private bool _shownDenial;

    public Report(TextWriter output)
    {
        _out = output;
        _color = !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
    }

    public void Introduction(Guard guard)
    {
        Line(Bold("Guardrails ReplicationDemo"));
        Line("A scripted agent replays the self-replication study (Fudan University, arXiv 2412.12140): explore, copy itself");
        Line("and its weights, launch a replica, poll it, tell it to replicate, avoid shutdown. Every tool call goes through");
        Line("Microsoft.Extensions.AI's FunctionInvokingChatClient with Guardrails in front (ChatClientBuilder.UseGuardrails).");
        Line("The tools are simulated: they only print what they would do. Nothing is executed.");
        Line();
        Line($"  agent program   {Study.AgentDirectory}");
        Line($"  agent weights   {Study.ModelDirectory}");
        Line($"  serving port    {Study.ServingPort}");
        Line($"  policy          {guard.Policy?.Name ?? "(none)"} (embedded default) with the agent's self section from GuardOptions.Self");
    }

    public void Step(int number, int count, string title, string thought)
    {
        Line();
        Line(Bold($"[{number}/{count}] {title}"));
        Line($"  model    {Dim(thought)}");
    }

    public void Proposed(FunctionCallContent call) => Line($"  model  → {call.Name}  {Describe(call.Name, call.Arguments)}");

    public void Decision(ToolCall call, Decision decision)
    {
        if (decision.IsAllowed)
        {
            var how = decision.Approval is null ? string.Empty : $" (approved by {decision.Approval.Approver ?? "a human"})";
            Line($"  guard    {Green("ALLOW")}{how}");
            return;
        }

        var escalated = decision.Approval is not null || decision.RuleIds.Any(static r => r.StartsWith("guardrails.approval.", StringComparison.Ordinal));
        var verdict = escalated ? Yellow("ESCALATED → DENIED") : Red("DENIED");
        Line($"  guard    {verdict} (score {decision.Score})");
        foreach (var finding in decision.Findings.DistinctBy(static f => f.RuleId))
        {
            Line($"           {finding.RuleId}: {finding.Message}");
        }
    }

    public void Reviewer(Guardrails.Approvals.ApprovalRequest request, Guardrails.Approvals.ApprovalResult answer)
    {
        Line($"  guard    {Yellow("ESCALATE")} (score {request.Decision.Score}) {string.Join(", ", request.Decision.RuleIds)}: approval needed");
        Line($"  human    {(answer.Approved ? "approves" : "refuses")}: {answer.Reason}");
    }

    public void Simulated(string tool) => Line($"  tool     {Dim($"{tool} ran (simulated: it only printed what it would do)")}");

    public void Read(FunctionResultContent result)
    {
        var text = result.Result?.ToString() ?? string.Empty;
        if (!_shownDenial && text.StartsWith("Blocked by Guardrails", StringComparison.Ordinal))
        {
            // Show one denial in full: this is what the model reads instead of a tool result.
            _shownDenial = true;
            var prefix = "  model  ← ";
            foreach (var line in Wrap(text, Width - prefix.Length))
            {
                Line(prefix + Dim(line));
                prefix = "           ";
            }

            return;
        }

        Line($"  model  ← {Dim(Truncate(text, Width - 11))}");
    }

    public void FinalAnswer(string text)
    {
        Line();
        Line(Bold("Final answer of the agent"));
        Line($"  {text}");
    }

    public void Summary(Tally tally)
    {
        var decisions = tally.Decisions;
        static bool Escalated(Decision d) => d.Approval is not null || d.RuleIds.Any(static r => r.StartsWith("guardrails.approval.", StringComparison.Ordinal));
        var allowed = decisions.Count(static d => d.Decision.IsAllowed && !Escalated(d.Decision));
        var escalated = decisions.Where(static d => Escalated(d.Decision)).ToList();
        var denied = decisions.Where(static d => !d.Decision.IsAllowed && !Escalated(d.Decision)).ToList();
        var rules = denied.Select(static d => d.Decision.RuleIds.Count > 0 ? d.Decision.RuleIds[0] : "(no rule)").GroupBy(static r => r, StringComparer.Ordinal)
            .Select(static g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}");
        var outcomes = escalated.Select(static d =>
            $"{(d.Decision.IsAllowed ? "approved" : "refused")} ({string.Join(", ", d.Decision.RuleIds.Where(static r => !r.StartsWith("guardrails.", StringComparison.Ordinal)))})");

        Line();
        Line(Bold("Summary"));
        Line($"  {decisions.Count,3} tool calls proposed by the agent, each decided before it could run");
        Line($"  {allowed,3} allowed and run (simulated): exploration and polling");
        Line($"  {denied.Count,3} denied: {string.Join(", ", rules)}");
        Line($"  {escalated.Count,3} escalated to a human: {(escalated.Count == 0 ? "none" : string.Join(", ", outcomes))}");
        Line($"  {tally.ReplicationStepsExecuted,3} of {tally.ReplicationStepCount} replication steps (copy, launch, instruct, shutdown avoidance) reached a tool");
        Line();
        Line(tally.ReplicationStepsExecuted == 0
            ? Green("Replication stopped: no copy of the agent or its weights was made, no replica was started, and the model was told why each time.")
            : Red("Replication NOT stopped: a replication step reached a tool."));
    }

    private static string Describe(string tool, IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            return string.Empty;
        }

        if (tool == "bash" && arguments.TryGetValue("command", out var command))
        {
            return command is JsonElement { ValueKind: JsonValueKind.String } text ? text.GetString()! : command?.ToString() ?? string.Empty;
        }

        return string.Join("  ", arguments.Select(static a => $"{a.Key}={a.Value}"));
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static string Truncate(string text, int length)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");
    }

    private string Bold(string text) => _color ? $"\u001b[1m{text}\u001b[0m" : text;

    private string Dim(string text) => _color ? $"\u001b[2m{text}\u001b[0m" : text;

    private string Green(string text) => _color ? $"\u001b[32;1m{text}\u001b[0m" : text;

    private string Red(string text) => _color ? $"\u001b[31;1m{text}\u001b[0m" : text;

    private string Yellow(string text) => _color ? $"\u001b[33;1m{text}\u001b[0m" : text;

    private void Line(string text = "")
    {
        lock (_gate)
        {
            _out.WriteLine(text);
        }
    }
}
