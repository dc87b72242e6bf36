using System.Globalization;
using Guardrails.Policies;

namespace Guardrails.Cli.Commands;

/// <summary>Builds the one <see cref="Guard"/> a command decides with, failing closed when the policy is broken.</summary>
internal static class GuardFactory
{
    /// <summary>The policy used when <c>--policy</c> is not given.</summary>
    public const string DefaultPolicy = "builtin:default";

    /// <summary>
    /// Loads <paramref name="policy"/> and builds a guard for it. Every diagnostic (errors and warnings) is written to
    /// <paramref name="error"/> in the compiler format; when the policy cannot be loaded the returned guard denies every
    /// call (<see cref="Guard.CreateFailClosed"/>) — a broken policy never allows anything.
    /// </summary>
    /// <param name="policy">The policy: <c>builtin:NAME</c> or a file path.</param>
    /// <param name="error">Where diagnostics go.</param>
    /// <param name="options">Options for the guard (for example what the agent itself is); <see langword="null"/> for the defaults.</param>
    /// <returns>The guard.</returns>
    public static Guard Create(string policy, TextWriter error, GuardOptions? options = null)
    {
        IReadOnlyList<PolicyDiagnostic> diagnostics;
        GuardPolicy? result;
        try
        {
            GuardPolicy.TryLoad(policy, out result, out diagnostics);
        }
#pragma warning disable CA1031 // Fail closed: whatever went wrong while loading, the guard denies.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = null;
            diagnostics = [new PolicyDiagnostic("GR1999", PolicyDiagnosticSeverity.Error, $"loading failed unexpectedly: {ex.Message}", null, policy, 0, 0, null)];
        }

        WriteDiagnostics(diagnostics, error);
        if (result is not null)
        {
            try
            {
                return new Guard(result, options);
            }
            catch (PolicyLoadException ex)
            {
                WriteDiagnostics(ex.Diagnostics, error);
            }
#pragma warning disable CA1031 // Fail closed, as above.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error.WriteLine($"{CliApp.CommandName}: the policy could not be compiled: {ex.Message}");
            }
        }

        var errors = Math.Max(1, diagnostics.Count(d => d.Severity == PolicyDiagnosticSeverity.Error));
        var reason = string.Create(CultureInfo.InvariantCulture, $"policy '{policy}' could not be loaded ({errors} {(errors == 1 ? "error" : "errors")})");
        error.WriteLine($"{CliApp.CommandName}: {reason}; every tool call is denied.");
        return Guard.CreateFailClosed(reason, options);
    }

    /// <summary>Writes diagnostics in the compiler format, each followed by its help line.</summary>
    /// <param name="diagnostics">The diagnostics.</param>
    /// <param name="writer">Where they go.</param>
    public static void WriteDiagnostics(IEnumerable<PolicyDiagnostic> diagnostics, TextWriter writer)
    {
        foreach (var diagnostic in diagnostics)
        {
            writer.WriteLine(diagnostic.ToString());
            if (!string.IsNullOrEmpty(diagnostic.Help))
            {
                writer.WriteLine($"    help: {diagnostic.Help}");
            }
        }
    }
}
