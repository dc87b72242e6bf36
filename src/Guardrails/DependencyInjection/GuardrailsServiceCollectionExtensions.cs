using System.Diagnostics.Metrics;
using Guardrails;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Guardrails in a service collection.</summary>
public static class GuardrailsServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="Guard"/> built from <see cref="GuardOptions.Policy"/>. When the policy cannot be
    /// loaded, the registered guard denies every call and the load errors are logged as critical — the host keeps
    /// running, fail-closed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults (the embedded default policy).</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddGuardrails(this IServiceCollection services, Action<GuardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GuardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(static o =>
        {
            try
            {
                o.Validate();
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }, "Guardrails options are invalid: the approval timeout must be positive and a policy is required.");

        services.TryAddSingleton(static provider =>
        {
            var guardOptions = provider.GetRequiredService<IOptions<GuardOptions>>().Value;
            var logger = provider.GetService<ILogger<Guard>>();
            var meterFactory = provider.GetService<IMeterFactory>();
            if (!GuardPolicy.TryLoad(guardOptions.Policy, out var policy, out var diagnostics))
            {
                var problems = string.Join("; ", diagnostics.Where(d => d.Severity == Guardrails.Policies.PolicyDiagnosticSeverity.Error));
                return Guard.CreateFailClosed(problems.Length == 0 ? $"policy '{guardOptions.Policy}' could not be loaded" : problems, guardOptions, logger);
            }

            try
            {
                return new Guard(policy, guardOptions, logger, meterFactory);
            }
            catch (Guardrails.Policies.PolicyLoadException ex)
            {
                return Guard.CreateFailClosed(ex.Message, guardOptions, logger);
            }
        });
        return services;
    }
}
