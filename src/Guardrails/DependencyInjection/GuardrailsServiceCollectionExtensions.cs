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
    /// running, fail-closed. With <see cref="GuardOptions.ReloadPolicyOnChange"/>, the guard follows the policy file
    /// until the service provider is disposed.
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

        services.TryAddSingleton(static provider => new GuardHost(
            provider.GetRequiredService<IOptions<GuardOptions>>().Value,
            provider.GetService<ILogger<Guard>>(),
            provider.GetService<ILogger<GuardPolicyWatcher>>(),
            provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(static provider => provider.GetRequiredService<GuardHost>().Guard);
        return services;
    }

    // Owns the registered guard and, when the policy file is followed, its watcher: the container disposes it.
    private sealed class GuardHost : IDisposable
    {
        private readonly GuardPolicyWatcher? _watcher;

        public GuardHost(GuardOptions options, ILogger<Guard>? logger, ILogger<GuardPolicyWatcher>? watcherLogger, IMeterFactory? meterFactory)
        {
            Guard = Create(options, logger, meterFactory);
            if (options.ReloadPolicyOnChange && !options.Policy.StartsWith("builtin:", StringComparison.Ordinal))
            {
                _watcher = new GuardPolicyWatcher(Guard, options.Policy, watcherLogger);
            }
        }

        public Guard Guard { get; }

        public void Dispose() => _watcher?.Dispose();

        private static Guard Create(GuardOptions options, ILogger<Guard>? logger, IMeterFactory? meterFactory)
        {
            if (!GuardPolicy.TryLoad(options.Policy, out var policy, out var diagnostics))
            {
                var problems = string.Join("; ", diagnostics.Where(d => d.Severity == Guardrails.Policies.PolicyDiagnosticSeverity.Error));
                return Guard.CreateFailClosed(problems.Length == 0 ? $"policy '{options.Policy}' could not be loaded" : problems, options, logger);
            }

            try
            {
                return new Guard(policy, options, logger, meterFactory);
            }
            catch (Guardrails.Policies.PolicyLoadException ex)
            {
                return Guard.CreateFailClosed(ex.Message, options, logger);
            }
        }
    }
}
