using Guardrails;
using Guardrails.Extensions.AI;

namespace Microsoft.Extensions.AI;

/// <summary>Guards individual <see cref="AIFunction"/>s.</summary>
public static class GuardrailsAIFunctionExtensions
{
    /// <summary>
    /// Wraps <paramref name="function"/> so that every invocation is decided by <paramref name="guard"/> first —
    /// for functions invoked outside a <c>UseGuardrails</c> pipeline (your own loop, another framework's middleware).
    /// </summary>
    /// <param name="function">The function.</param>
    /// <param name="guard">The guard.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The guarded function.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="guard"/> is null.</exception>
    public static GuardedAIFunction WithGuardrails(this AIFunction function, Guard guard, GuardrailsChatClientOptions? options = null) =>
        new(function, guard, options);
}
