// The README's "Tour of the API", runnable: dotnet run --project samples/QuickStart
using Guardrails;
using Guardrails.Approvals;

// 1. Load a policy once (the embedded default, or your own file that extends it) and build a guard. Both are
//    immutable and thread-safe: share them.
var policy = GuardPolicy.Default;          // or GuardPolicy.LoadFile("guardrails.json")
var options = new GuardOptions();
options.Self.AgentDirectories.Add("/opt/agent");   // what the agent is made of, if the host knows
options.Self.ModelDirectories.Add("/opt/agent/weights");
var guard = new Guard(policy, options);

// 2. Before a tool call runs, decide it.
var call = ToolCall.FromJson("bash", """{"command": "nohup vllm serve /opt/agent/weights --port 8001 &"}""");
Decision decision = guard.Evaluate(call);

Console.WriteLine(decision);                // deny (100): replica.launch.detached, replica.launch, ...
foreach (var finding in decision.Findings)
{
    Console.WriteLine($"  {finding.RuleId} [{finding.Capability}] {finding.Message}: \"{finding.Evidence.Text}\"");
}

// 3. Escalations can be resolved by a human or an approval service; no answer in time means deny.
var withApprovals = new Guard(policy, new GuardOptions
{
    ApprovalHandler = new CallbackApprovalHandler((request, ct) =>
        ValueTask.FromResult(ApprovalResult.Refuse("nobody approves credential reads in this sample"))),
    ApprovalTimeout = TimeSpan.FromMinutes(2),
});
var resolved = await withApprovals.DecideAsync(ToolCall.Shell("cat ~/.ssh/id_rsa"));
Console.WriteLine(resolved);                // deny: guardrails.approval.refused, credential.access

// 4. Ordinary work passes untouched.
Console.WriteLine(guard.Evaluate(ToolCall.Shell("cp src/a.py src/b.py && pytest -q")));   // allow (0)
