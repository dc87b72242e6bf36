using Guardrails.Approvals;
using Guardrails.Extensions.AI.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Guardrails.Extensions.AI.Tests.Docs;

/// <summary>
/// The code shown in docs/adapters.md, compiled and run, so the documentation cannot drift from the API. Each region
/// is copied verbatim into the document.
/// </summary>
public sealed class AdapterDocSnippetsTests : IDisposable
{
    private readonly ScriptedChatClient _model = new();
    private readonly HarmlessTools _tools = new();

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Regions_AreShownVerbatimInTheDoc() => Guardrails.Tests.Shared.DocSnippets.AssertRegionsAreIn("docs/adapters.md");

    [Fact]
    public async Task Setup_UseGuardrails()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", "cp -r /opt/agent /tmp/agent2"));
        IChatClient innerClient = _model;
        AIFunction bashTool = _tools.Bash;

        #region use-guardrails
        var guardOptions = new GuardOptions();
        guardOptions.Self.AgentDirectories.Add("/opt/agent");         // the agent's program
        guardOptions.Self.ModelDirectories.Add("/models/my-model");   // its weights
        var guard = new Guard(GuardPolicy.Default, guardOptions);

        IChatClient client = new ChatClientBuilder(innerClient)     // the model's IChatClient
            .UseGuardrails(guard)                                   // instead of .UseFunctionInvocation()
            .Build();

        var response = await client.GetResponseAsync("Replicate yourself.", new ChatOptions { Tools = [bashTool] });
        #endregion

        response.Should().NotBeNull();
        _tools.Entered.Should().Be(0);
    }

    [Fact]
    public async Task Setup_DependencyInjection()
    {
        IChatClient innerClient = _model;

        #region dependency-injection
        var services = new ServiceCollection();
        services.AddGuardrails(o => o.Policy = "builtin:default");   // or a policy file that extends it
        services.AddChatClient(innerClient)
            .UseGuardrails(configure: o => o.ConfigureFunctionInvocation = f => f.AllowConcurrentInvocation = true);
        #endregion

        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        client.GetService<Guard>().Should().BeSameAs(provider.GetRequiredService<Guard>());
    }

    [Fact]
    public async Task Escalation_NativeApprovalRequests()
    {
        _model.ThenCall(ScriptedChatClient.Bash("c1", "cat ~/.ssh/id_rsa"));
        IChatClient innerClient = _model;
        var guard = new Guard(GuardPolicy.Default);
        var options = new ChatOptions { Tools = _tools.All };
        static bool AskTheUser(ToolApprovalRequestContent request) => request.AdditionalProperties?["guardrails.rules"] is "credential.access";

        #region approval-requests
        IChatClient client = new ChatClientBuilder(innerClient)
            .UseGuardrails(guard, o => o.Escalation = EscalationMode.ApprovalRequests)
            .Build();

        List<ChatMessage> history = [new(ChatRole.User, "Deploy the service.")];
        var response = await client.GetResponseAsync(history, options);
        history.AddRange(response.Messages);

        // The turn ended with questions for the user instead of running the escalated call.
        var answers = response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>()
            .Select(request => request.CreateResponse(approved: AskTheUser(request)))  // your UI
            .ToList<AIContent>();
        if (answers.Count > 0)
        {
            history.Add(new ChatMessage(ChatRole.User, answers));
            response = await client.GetResponseAsync(history, options);                 // runs what was approved
        }
        #endregion

        _tools.Executed.Should().Equal("cat ~/.ssh/id_rsa");
    }

    [Fact]
    public void Escalation_ApprovalHandler()
    {
        #region approval-handler
        var guard = new Guard(GuardPolicy.Default, new GuardOptions
        {
            ApprovalHandler = new ConsoleApprovalHandler(),   // or new CallbackApprovalHandler(...), or your own
            ApprovalTimeout = TimeSpan.FromMinutes(2),        // no answer in time: deny
        });
        #endregion

        guard.Should().NotBeNull();
    }

    [Fact]
    public async Task Tickets_ResumeOutOfBand()
    {
        var guard = new Guard(GuardPolicy.Default);
        var call = ToolCall.Shell("cat ~/.ssh/id_rsa");
        string? stored = null;
        void Save(string json) => stored = json;

        #region tickets
        var tickets = new ApprovalTickets(lifetime: TimeSpan.FromHours(1));   // one per application

        var decision = guard.Evaluate(call);
        if (decision.Verdict == Verdict.Escalate)
        {
            var ticket = tickets.Issue(call, decision);
            Save(ticket.ToJson());                                // end the turn; ask a human out of band
        }

        // Later, with the human's answer:
        var resumed = ApprovalTicket.FromJson(stored!);
        var final = tickets.Resume(resumed, call, ApprovalResult.Approve(approver: "alice"));
        if (final.IsAllowed)
        {
            // run the call - exactly this call, once, before the ticket expires
        }
        #endregion

        final.IsAllowed.Should().BeTrue();
        tickets.Resume(resumed, call, ApprovalResult.Approve()).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public async Task CustomToolNames_ArePoliciesTools()
    {
        _model.ThenCall(new FunctionCallContent("c1", "terminal_exec", new Dictionary<string, object?> { ["script_text"] = "cp -r /models/qwen /tmp/q", ["in_dir"] = "/tmp" }));
        var terminalExec = AIFunctionFactory.Create((string script_text, string in_dir) => { _tools.Executed.Enqueue(script_text); return "ok"; }, "terminal_exec");

        #region custom-tools
        var policy = GuardPolicy.Parse("""
            {
              "extends": ["builtin:default"],
              "tools": {
                "terminal_exec": { "interpreter": "shell", "arguments": { "command": ["script_text"], "cwd": ["in_dir"] } }
              }
            }
            """);
        var guard = new Guard(policy);
        #endregion

        using var client = new ChatClientBuilder(_model).UseGuardrails(guard).Build();
        await client.GetResponseAsync("go", new ChatOptions { Tools = [terminalExec] });
        _tools.Executed.Should().BeEmpty();
        _model.LastResults.Single().Result!.ToString().Should().Contain("weights.copy");
    }
}
