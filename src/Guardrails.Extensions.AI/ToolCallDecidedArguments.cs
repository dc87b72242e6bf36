namespace Guardrails.Extensions.AI;

/// <summary>The arguments of <see cref="GuardrailsChatClientOptions.OnToolCallDecided"/>.</summary>
public readonly struct ToolCallDecidedArguments
{
    /// <summary>Initializes a new instance of the <see cref="ToolCallDecidedArguments"/> struct.</summary>
    /// <param name="call">The tool call as the guard saw it.</param>
    /// <param name="decision">The final decision.</param>
    /// <param name="cancellationToken">The cancellation token of the invocation.</param>
    public ToolCallDecidedArguments(ToolCall call, Decision decision, CancellationToken cancellationToken)
    {
        Call = call;
        Decision = decision;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the tool call as the guard saw it.</summary>
    public ToolCall Call { get; }

    /// <summary>Gets the final decision: allow (the function runs next) or deny (it does not).</summary>
    public Decision Decision { get; }

    /// <summary>Gets the cancellation token of the invocation.</summary>
    public CancellationToken CancellationToken { get; }
}
