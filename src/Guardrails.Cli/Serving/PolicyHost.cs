using Guardrails.Policies;
using Microsoft.Extensions.Logging;

namespace Guardrails.Cli.Serving;

/// <summary>
/// Holds the guard the decision service decides with, and keeps its policy in step with the policy file through a
/// <see cref="GuardPolicyWatcher"/>: a new file that loads replaces the policy atomically; one that does not is rejected
/// and logged, and the previous policy stays in service.
/// </summary>
/// <remarks>
/// <para>If the policy cannot be loaded at start-up, the service starts fail-closed (every call denied) and keeps
/// watching, so fixing the file brings it into service.</para>
/// <para>One guard serves for the whole run, so session histories survive reloads. Each decision is made by exactly one
/// policy version (read once per decision); a batch that straddles a reload may be decided partly by each.</para>
/// </remarks>
internal sealed class PolicyHost : IDisposable
{
    private readonly GuardPolicyWatcher? _watcher;

    /// <summary>Initializes a new host and loads the policy.</summary>
    /// <param name="policyName">The policy: a file path or <c>builtin:NAME</c> (builtins never change, so are not watched).</param>
    /// <param name="logger">Where load results go.</param>
    /// <param name="pollInterval">How often to compare the file's content hash; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    public PolicyHost(string policyName, ILogger logger, TimeSpan pollInterval)
    {
        Guard = Load(policyName, logger);
        if (!policyName.StartsWith("builtin:", StringComparison.Ordinal))
        {
            _watcher = new GuardPolicyWatcher(Guard, policyName, logger, pollInterval);
        }
    }

    /// <summary>Gets the guard to decide with.</summary>
    public Guard Guard { get; }

    /// <summary>Gets the policy in service, or <see langword="null"/> while the service is fail-closed.</summary>
    public GuardPolicy? Policy => Guard.Policy;

    /// <summary>Gets the number of policies put in service after start-up.</summary>
    public long Reloads => _watcher?.Reloads ?? 0;

    /// <summary>Gets the number of changed files that were rejected because they did not load.</summary>
    public long RejectedReloads => _watcher?.RejectedReloads ?? 0;

    /// <summary>Gets the problems of the last rejected file, or <see langword="null"/> when the last change loaded.</summary>
    public string? LastError => _watcher?.LastError;

    /// <summary>Checks the policy file for changes now (the watcher also does so on file events and every poll interval).</summary>
    public void CheckForChanges() => _watcher?.CheckForChanges();

    /// <inheritdoc />
    public void Dispose() => _watcher?.Dispose();

    private static Guard Load(string policyName, ILogger logger)
    {
        IReadOnlyList<PolicyDiagnostic> diagnostics;
        try
        {
            if (GuardPolicy.TryLoad(policyName, out var policy, out diagnostics))
            {
                var guard = new Guard(policy);
                Log.PolicyLoaded(logger, policy.Name, policy.Version);
                return guard;
            }
        }
#pragma warning disable CA1031 // Fail closed: a load that throws is a failed load.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            diagnostics = [new PolicyDiagnostic("GR1999", PolicyDiagnosticSeverity.Error, ex.Message, null, policyName, 0, 0, null)];
        }

        var errors = string.Join("; ", diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Select(d => d.ToString()));
        var reason = errors.Length == 0 ? $"policy '{policyName}' could not be loaded" : errors;
        Log.InitialLoadFailed(logger, policyName, reason);
        return Guard.CreateFailClosed(reason);
    }
}
