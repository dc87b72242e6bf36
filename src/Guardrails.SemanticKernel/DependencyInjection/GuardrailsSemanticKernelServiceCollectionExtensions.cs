using Guardrails;
using Guardrails.SemanticKernel;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Guardrails Semantic Kernel filters in a service collection (the kernel's services).</summary>
public static class GuardrailsSemanticKernelServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="GuardrailsFunctionInvocationFilter"/> and a <see cref="GuardrailsAutoFunctionInvocationFilter"/>
    /// that decide with the registered <see cref="Guard"/>; a kernel built from these services picks them up. Also calls
    /// <see cref="GuardrailsServiceCollectionExtensions.AddGuardrails"/>, which registers a guard built from
    /// <see cref="GuardOptions"/> unless one is registered already.
    /// </summary>
    /// <param name="services">The service collection, for example <c>kernelBuilder.Services</c>.</param>
    /// <param name="configure">Configures the filters; <see langword="null"/> for the defaults.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <remarks>Calling it more than once registers each filter once; every <paramref name="configure"/> applies.</remarks>
    public static IServiceCollection AddGuardrailsFilters(this IServiceCollection services, Action<GuardrailsFilterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddGuardrails();
        var options = services.AddOptions<GuardrailsFilterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFunctionInvocationFilter, GuardrailsFunctionInvocationFilter>(
            static provider => new GuardrailsFunctionInvocationFilter(provider.GetRequiredService<Guard>(), provider.GetRequiredService<IOptions<GuardrailsFilterOptions>>().Value)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAutoFunctionInvocationFilter, GuardrailsAutoFunctionInvocationFilter>(
            static provider => new GuardrailsAutoFunctionInvocationFilter(provider.GetRequiredService<Guard>(), provider.GetRequiredService<IOptions<GuardrailsFilterOptions>>().Value)));
        return services;
    }
}
