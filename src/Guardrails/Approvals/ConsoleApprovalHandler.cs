using System.Globalization;
using System.Text;

namespace Guardrails.Approvals;

/// <summary>
/// An <see cref="IApprovalHandler"/> that asks a person at a terminal: it writes what the call is and why it needs
/// approval, then reads <c>y</c>/<c>yes</c> (approve) or anything else (refuse) from a line of input.
/// </summary>
/// <remarks>
/// <para>Requests are asked one at a time, in arrival order, even when parallel tool calls escalate at once. The
/// default answer is no: an empty line, end of input, cancellation and timeout (the guard's
/// <see cref="GuardOptions.ApprovalTimeout"/> cancels the request) are all refusals.</para>
/// <para>An answer typed after its question was abandoned (timed out or cancelled) is discarded, never applied to the
/// next question. The handler is thread-safe.</para>
/// </remarks>
public sealed class ConsoleApprovalHandler : IApprovalHandler
{
    private const int MaxArgumentsShown = 2_000;

    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly Lock _gate = new();
    private Task _queue = Task.CompletedTask;
    private Task<string?>? _read;
    private bool _readAbandoned;

    /// <summary>Initializes a new handler that asks on <see cref="Console.Error"/> and reads <see cref="Console.In"/>.</summary>
    /// <remarks>Questions go to standard error so that they never mix with a program's output on standard output.</remarks>
    public ConsoleApprovalHandler()
        : this(Console.In, Console.Error)
    {
    }

    /// <summary>Initializes a new handler that asks on <paramref name="output"/> and reads answers from <paramref name="input"/>.</summary>
    /// <param name="input">Where answers are read, one per line.</param>
    /// <param name="output">Where questions are written.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ConsoleApprovalHandler(TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        _input = input;
        _output = output;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before an answer (the guard treats it as a refusal).</exception>
    public async ValueTask<ApprovalResult> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // One question at a time: each request waits for the one before it.
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _queue;
            _queue = mine.Task;
        }

        try
        {
            await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Keep the queue in order: the next request still waits for the previous one.
            _ = previous.ContinueWith(_ => mine.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        try
        {
            await _output.WriteAsync(Describe(request).AsMemory(), cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            string? line;
            try
            {
                line = await ReadAnswerAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await _output.WriteLineAsync("(no answer in time: refused)").ConfigureAwait(false);
                throw;
            }

            var answer = line?.Trim();
            if (string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
            {
                return ApprovalResult.Approve(approver: "console");
            }

            return ApprovalResult.Refuse(line is null ? "no answer (end of input)" : "answered no at the console", "console");
        }
        finally
        {
            mine.TrySetResult();
        }
    }

    private async Task<string?> ReadAnswerAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<string?> read;
            bool abandoned;
            lock (_gate)
            {
                if (_read is null)
                {
                    // TextReader.ReadLineAsync is synchronous for console input, so the read runs on the thread pool
                    // and the wait for it is what honours cancellation.
                    _read = Task.Run(_input.ReadLine, CancellationToken.None);
                    _readAbandoned = false;
                }

                read = _read;
                abandoned = _readAbandoned;
            }

            if (abandoned)
            {
                // A line typed for a question that is no longer asked must not answer this one.
                await read.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (ReferenceEquals(_read, read))
                    {
                        _read = null;
                    }
                }

                continue;
            }

            try
            {
                var line = await read.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _read = null;
                }

                return line;
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    _readAbandoned = true;
                }

                throw;
            }
        }
    }

    private static string Describe(ApprovalRequest request)
    {
        var call = request.Call;
        var arguments = call.Arguments.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "{}" : call.Arguments.GetRawText();
        if (arguments.Length > MaxArgumentsShown)
        {
            arguments = string.Concat(arguments.AsSpan(0, MaxArgumentsShown), "…");
        }

        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("Guardrails: this tool call needs your approval");
        text.Append(CultureInfo.InvariantCulture, $"  tool:      {call.Name}").AppendLine(call.CallId is null ? string.Empty : $" (call {call.CallId})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  arguments: {arguments}");
        foreach (var finding in request.Decision.Findings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  why:       {finding.RuleId}: {finding.Message}");
        }

        text.Append("Allow it? [y/N] ");
        return text.ToString();
    }
}
