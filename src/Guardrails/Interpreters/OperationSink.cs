using Guardrails.Actions;

namespace Guardrails.Interpreters;

/// <summary>
/// Collects the operations and input problems an interpreter derives from one tool call, enforcing the operation
/// limit: past it, one opaque-code operation records that the rest was not analysed (never a silent pass).
/// </summary>
internal sealed class OperationSink
{
    private readonly int _maxOperations;
    private bool _overflowed;

    public OperationSink(int maxOperations) => _maxOperations = Math.Max(2, maxOperations);

    public List<Operation> Operations { get; } = [];

    public List<InputProblem> Problems { get; } = [];

    /// <summary>Gets the characters decoded from inline payloads so far (for the decode budget).</summary>
    public int DecodedLength { get; set; }

    /// <summary>Gets a value indicating whether the limit is reached: nothing more will be recorded.</summary>
    public bool IsFull => Operations.Count >= _maxOperations;

    public void Add(Operation operation)
    {
        if (Operations.Count < _maxOperations - 1)
        {
            Operations.Add(operation);
            return;
        }

        if (!_overflowed)
        {
            // The last slot is the marker, so a walker that stops at IsFull always leaves it behind.
            _overflowed = true;
            Operations.Add(new OpaqueCode("any", $"more than {_maxOperations - 1} operations; the rest was not analysed")
            {
                Source = operation.Source,
                Span = operation.Span,
                Via = operation.Via,
            });
        }
    }

    public void AddProblem(string code, string message, string source, TextSpan span) =>
        Problems.Add(new InputProblem(code, message, source, span));
}

/// <summary>Something about the input that prevents a full analysis; the evaluator turns it into a fail-closed finding.</summary>
/// <param name="Code">A stable code such as <c>guardrails.input.shape</c>.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
/// <param name="Source">The argument concerned.</param>
/// <param name="Span">Where in the argument.</param>
internal sealed record InputProblem(string Code, string Message, string Source, TextSpan Span);
