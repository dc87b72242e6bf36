using System.Diagnostics.Metrics;
using Guardrails.Approvals;
using Guardrails.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Guardrails.Tests;

public sealed class GuardTests
{
    private const string Escalating = "cat ~/.ssh/id_rsa";
    private const string Denied = "cp -r /models/qwen /tmp/q";

    [Fact]
    public async Task DecideAsync_EscalationApproved_Allows()
    {
        ApprovalRequest? seen = null;
        var guard = Create(new CallbackApprovalHandler((request, _) =>
        {
            seen = request;
            return ValueTask.FromResult(ApprovalResult.Approve("needed for deploy", "alice"));
        }));

        var decision = await guard.DecideAsync(ToolCall.Shell(Escalating, TestGuards.Home));

        decision.Verdict.Should().Be(Verdict.Allow);
        decision.Approval.Should().NotBeNull();
        decision.Approval!.Approver.Should().Be("alice");
        decision.RuleIds.Should().Contain("credential.access", "the findings that required approval stay on record");
        seen!.Decision.Verdict.Should().Be(Verdict.Escalate);
    }

    [Fact]
    public async Task DecideAsync_EscalationRefused_DeniesWithTheReason()
    {
        var guard = Create(new CallbackApprovalHandler((_, _) => ValueTask.FromResult(ApprovalResult.Refuse("not today"))));

        var decision = await guard.DecideAsync(ToolCall.Shell(Escalating, TestGuards.Home));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds[0].Should().Be("guardrails.approval.refused");
        decision.Reasons[0].Should().Contain("not today");
    }

    [Fact]
    public async Task DecideAsync_NoAnswerBeforeTheTimeout_Denies()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource();
        var guard = Create(
            new CallbackApprovalHandler(async (_, ct) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return ApprovalResult.Approve();
            }),
            o =>
            {
                o.TimeProvider = time;
                o.ApprovalTimeout = TimeSpan.FromSeconds(30);
            });

        var pending = guard.DecideAsync(ToolCall.Shell(Escalating, TestGuards.Home)).AsTask();
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(31));
        var decision = await pending;

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds[0].Should().Be("guardrails.approval.timeout");
    }

    [Fact]
    public async Task DecideAsync_HandlerThrows_Denies()
    {
        var guard = Create(new CallbackApprovalHandler((_, _) => throw new InvalidOperationException("approval service down")));

        var decision = await guard.DecideAsync(ToolCall.Shell(Escalating, TestGuards.Home));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds[0].Should().Be("guardrails.approval.failed");
        decision.Reasons[0].Should().Contain("approval service down");
    }

    [Fact]
    public async Task DecideAsync_NoHandler_DeniesEscalations()
    {
        var guard = new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home });

        var decision = await guard.DecideAsync(ToolCall.Shell(Escalating, TestGuards.Home));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds[0].Should().Be("guardrails.approval.unavailable");
    }

    [Fact]
    public async Task DecideAsync_DenyIsNeverSentForApproval()
    {
        var asked = false;
        var guard = Create(new CallbackApprovalHandler((_, _) =>
        {
            asked = true;
            return ValueTask.FromResult(ApprovalResult.Approve());
        }));

        var decision = await guard.DecideAsync(ToolCall.Shell(Denied, TestGuards.Home));

        decision.Verdict.Should().Be(Verdict.Deny);
        asked.Should().BeFalse();
    }

    [Fact]
    public void Constructor_InvalidApprovalTimeout_Throws()
    {
        var act = () => new Guard(GuardPolicy.Default, new GuardOptions { ApprovalTimeout = TimeSpan.Zero });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ApprovalTimeout");
    }

    [Fact]
    public void Constructor_SelfOptions_AreAddedToThePolicy()
    {
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Self.AgentDirectories.Add("/srv/agent");
        var guard = new Guard(GuardPolicy.Default, options);

        var decision = guard.Evaluate(ToolCall.Shell("cp -r /srv/agent /tmp/agent2"));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Contain("weights.copy");
        TestGuards.Shell("cp -r /srv/agent /tmp/agent2").Verdict.Should().Be(Verdict.Allow, "the default guard does not know /srv/agent");
    }

    [Fact]
    public void Evaluate_IsDeterministic()
    {
        var first = TestGuards.Shell("nohup vllm serve /models/q --port 8001 & cat ~/.ssh/id_rsa");
        var second = TestGuards.Shell("nohup vllm serve /models/q --port 8001 & cat ~/.ssh/id_rsa");

        second.Verdict.Should().Be(first.Verdict);
        second.Score.Should().Be(first.Score);
        second.RuleIds.Should().Equal(first.RuleIds);
        second.Findings.Select(f => f.Evidence.Span).Should().Equal(first.Findings.Select(f => f.Evidence.Span));
    }

    [Fact]
    public void Evaluate_ManyThreads_GiveTheSameDecisions()
    {
        var commands = new[] { Denied, "ls -la", Escalating, "nohup vllm serve /m --port 1 &" };
        var expected = commands.Select(c => TestGuards.Shell(c).Verdict).ToArray();

        var results = new Verdict[400];
        Parallel.For(0, results.Length, i => results[i] = TestGuards.Shell(commands[i % commands.Length]).Verdict);

        results.Select((v, i) => v == expected[i % commands.Length]).Should().AllSatisfy(ok => ok.Should().BeTrue());
    }

    [Fact]
    public void Evaluate_LogsDeniesWithStableEventIdsAndNoArgumentsAboveTrace()
    {
        var logger = new CollectingLogger();
        var guard = new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home }, logger);

        guard.Evaluate(ToolCall.Shell(Denied));
        guard.Evaluate(ToolCall.Shell(Escalating));

        logger.Entries.Should().Contain(e => e.EventId == 1002 && e.Level == LogLevel.Warning && e.Message.Contains("weights.copy", StringComparison.Ordinal));
        logger.Entries.Should().Contain(e => e.EventId == 1001 && e.Level == LogLevel.Warning);
        logger.Entries.Where(e => e.Level > LogLevel.Trace).Should().NotContain(e => e.Message.Contains("/models/qwen", StringComparison.Ordinal), "arguments may hold secrets");
    }

    [Fact]
    public void Evaluate_RecordsDecisionMetrics()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var counted = new List<(long Value, string? Verdict)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: other tests decide in parallel on the shared meter.
            if (instrument.Meter.Name == GuardrailsTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory)
                && instrument.Name == GuardrailsTelemetry.DecisionsCounter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? verdict = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "guardrails.verdict")
                {
                    verdict = tag.Value as string;
                }
            }

            counted.Add((value, verdict));
        });
        listener.Start();
        var guard = new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home }, meterFactory: meterFactory);

        guard.Evaluate(ToolCall.Shell(Denied));
        guard.Evaluate(ToolCall.Shell("ls"));

        counted.Should().Equal((1L, "deny"), (1L, "allow"));
    }

    private static Guard Create(IApprovalHandler handler, Action<GuardOptions>? configure = null)
    {
        var options = new GuardOptions { HomeDirectory = TestGuards.Home, ApprovalHandler = handler };
        configure?.Invoke(options);
        return new Guard(GuardPolicy.Default, options);
    }

    private sealed class CollectingLogger : ILogger<Guard>
    {
        public List<(int EventId, LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId.Id, logLevel, formatter(state, exception)));
    }
}
