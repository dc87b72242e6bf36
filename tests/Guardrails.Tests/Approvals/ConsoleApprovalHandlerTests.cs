using Guardrails.Approvals;

namespace Guardrails.Tests.Approvals;

public sealed class ConsoleApprovalHandlerTests
{
    private static readonly Guard Guard = new(GuardPolicy.Default);
    private static readonly ToolCall Call = new ToolCall("bash", ToolCall.Shell("cat ~/.ssh/id_rsa").Arguments) { CallId = "c7" };

    [Theory]
    [InlineData("y\n", true)]
    [InlineData(" YES \n", true)]
    [InlineData("n\n", false)]
    [InlineData("\n", false)]
    [InlineData("", false)]
    public async Task RequestApprovalAsync_AnswersYesOnlyForYOrYes(string input, bool approved)
    {
        using var output = new StringWriter();
        var handler = new ConsoleApprovalHandler(new StringReader(input), output);

        var result = await handler.RequestApprovalAsync(Request(), CancellationToken.None);

        result.Approved.Should().Be(approved);
        result.Approver.Should().Be("console");
    }

    [Fact]
    public async Task RequestApprovalAsync_ShowsTheCallAndWhy()
    {
        using var output = new StringWriter();
        var handler = new ConsoleApprovalHandler(new StringReader("n\n"), output);

        await handler.RequestApprovalAsync(Request(), CancellationToken.None);

        output.ToString().Should().Contain("bash (call c7)").And.Contain("cat ~/.ssh/id_rsa").And.Contain("credential.access").And.Contain("[y/N]");
    }

    [Fact]
    public async Task RequestApprovalAsync_Cancelled_Throws_AndALateAnswerIsNotAppliedToTheNextQuestion()
    {
        using var input = new BlockingReader();
        using var output = new StringWriter();
        var handler = new ConsoleApprovalHandler(input, output);
        using var cancel = new CancellationTokenSource();

        var first = handler.RequestApprovalAsync(Request(), cancel.Token).AsTask();
        await input.Reading.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => first).Should().ThrowAsync<OperationCanceledException>();

        var second = handler.RequestApprovalAsync(Request(), CancellationToken.None).AsTask();
        input.Send("y");   // typed for the first question: discarded
        input.Send("n");   // the answer to the second question
        var result = await second.WaitAsync(TimeSpan.FromSeconds(10));

        result.Approved.Should().BeFalse();
        output.ToString().Should().Contain("no answer in time");
    }

    [Fact]
    public async Task RequestApprovalAsync_ParallelRequests_AreAskedOneAtATime()
    {
        using var output = new StringWriter();
        var handler = new ConsoleApprovalHandler(new StringReader("y\nn\n"), output);

        var results = await Task.WhenAll(
            handler.RequestApprovalAsync(Request(), CancellationToken.None).AsTask(),
            handler.RequestApprovalAsync(Request(), CancellationToken.None).AsTask());

        results.Count(r => r.Approved).Should().Be(1);
        output.ToString().Split("Allow it?").Should().HaveCount(3);
    }

    [Fact]
    public async Task Guard_WithAConsoleHandler_NoAnswerBeforeTheTimeout_IsADeny()
    {
        using var input = new BlockingReader();
        using var output = new StringWriter();
        var guard = new Guard(GuardPolicy.Default, new GuardOptions { ApprovalHandler = new ConsoleApprovalHandler(input, output), ApprovalTimeout = TimeSpan.FromMilliseconds(200) });

        var decision = await guard.DecideAsync(Call);

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.Findings[0].RuleId.Should().Be("guardrails.approval.timeout");
    }

    private static ApprovalRequest Request() => new(Call, Guard.Evaluate(Call));

    /// <summary>A console that blocks in ReadLine until a line is sent.</summary>
    private sealed class BlockingReader : TextReader
    {
        private readonly System.Collections.Concurrent.BlockingCollection<string> _lines = [];
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reading => _reading.Task;

        public void Send(string line) => _lines.Add(line);

        public override string? ReadLine()
        {
            _reading.TrySetResult();
            return _lines.Take();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _lines.CompleteAdding();
                _lines.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
