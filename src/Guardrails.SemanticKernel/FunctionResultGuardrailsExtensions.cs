using Guardrails;

namespace Microsoft.SemanticKernel;

/// <summary>Reads what the Guardrails filters recorded on a <see cref="FunctionResult"/>.</summary>
public static class FunctionResultGuardrailsExtensions
{
    /// <summary>The <see cref="FunctionResult.Metadata"/> key under which a blocked or paused call's <see cref="Decision"/> is stored.</summary>
    public const string DecisionMetadataKey = "guardrails.decision";

    /// <summary>Gets the decision that blocked or paused the call, or <see langword="null"/> when Guardrails did not stop it.</summary>
    /// <param name="result">The function result.</param>
    /// <returns>The decision, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is null.</exception>
    public static Decision? GetGuardrailsDecision(this FunctionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Metadata is { } metadata && metadata.TryGetValue(DecisionMetadataKey, out var value) ? value as Decision : null;
    }
}
