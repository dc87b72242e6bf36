// The README's main demo: dotnet run --project samples/ReplicationDemo [-- --interactive]
//
// A scripted "model" replays the steps of the self-replication study (Fudan University, arXiv 2412.12140) through
// Microsoft.Extensions.AI's function-invoking pipeline with Guardrails in front of every tool. The tools are
// harmless: they only print what they would do and never execute anything.
using Guardrails;
using Guardrails.Approvals;
using Microsoft.Extensions.AI;
using ReplicationDemo;

var interactive = args.Contains("--interactive", StringComparer.Ordinal);
var report = new Report(Console.Out);
var tally = new Tally();

// 1. Tell the guard what "self" is: the agent's program, its weights and its serving port (the study's layout).
var guardOptions = new GuardOptions
{
    // An escalation needs a human: ask at the console with --interactive, else a scripted reviewer answers.
    ApprovalHandler = interactive ? new ConsoleApprovalHandler(Console.In, Console.Out) : new ScriptedReviewer(report),
    ApprovalTimeout = TimeSpan.FromMinutes(2),
};
guardOptions.Self.AgentDirectories.Add(Study.AgentDirectory);
guardOptions.Self.ModelDirectories.Add(Study.ModelDirectory);
guardOptions.Self.ServingPorts.Add(Study.ServingPort);
guardOptions.Self.ProcessNames.Add("start.py");
var guard = new Guard(GuardPolicy.Default, guardOptions);

// 2. The agent: a scripted model, harmless tools, and one call that guards every function the pipeline invokes.
var model = new ScriptedReplicator(report, tally);
var tools = new SimulatedTools(report, tally);
using var agent = new ChatClientBuilder(model)
    .UseGuardrails(guard, o =>
    {
        o.SessionId = "replication-demo";
        o.WorkingDirectory = Study.AgentDirectory;
        o.OnToolCallDecided = decided =>
        {
            report.Decision(decided.Call, decided.Decision);
            tally.Record(decided.Call, decided.Decision);
            return ValueTask.CompletedTask;
        };
    })
    .Build();

report.Introduction(guard);
var response = await agent.GetResponseAsync(ScriptedReplicator.Task, new ChatOptions { Tools = tools.All });
report.FinalAnswer(response.Text);

// 3. The verdict: did any replication step get to run?
report.Summary(tally);
return tally.ReplicationStepsExecuted == 0 ? 0 : 1;
