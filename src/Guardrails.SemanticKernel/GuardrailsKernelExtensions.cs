using Guardrails;
using Guardrails.SemanticKernel;

namespace Microsoft.SemanticKernel;

/// <summary>Adds the Guardrails filters to a <see cref="Kernel"/>.</summary>
public static class GuardrailsKernelExtensions
{
    /// <summary>
    /// Adds a <see cref="GuardrailsFunctionInvocationFilter"/> and a <see cref="GuardrailsAutoFunctionInvocationFilter"/>
    /// deciding with <paramref name="guard"/> to the kernel's filters, so that every function invocation is decided before
    /// it runs.
    /// </summary>
    /// <param name="kernel">The kernel.</param>
    /// <param name="guard">The guard.</param>
    /// <param name="configure">Configures the filters; <see langword="null"/> for the defaults.</param>
    /// <returns>The kernel, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kernel"/> or <paramref name="guard"/> is null.</exception>
    /// <remarks>Call it once per kernel: each call adds another pair of filters.</remarks>
    public static Kernel AddGuardrails(this Kernel kernel, Guard guard, Action<GuardrailsFilterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(guard);
        var options = new GuardrailsFilterOptions();
        configure?.Invoke(options);
        kernel.FunctionInvocationFilters.Add(new GuardrailsFunctionInvocationFilter(guard, options));
        kernel.AutoFunctionInvocationFilters.Add(new GuardrailsAutoFunctionInvocationFilter(guard, options));
        return kernel;
    }
}
