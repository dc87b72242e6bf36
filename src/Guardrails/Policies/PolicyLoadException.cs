using System.Text;

namespace Guardrails.Policies;

/// <summary>Represents the failure to load a policy, carrying every diagnostic found.</summary>
/// <remarks>
/// The <see cref="Exception.Message"/> lists every error diagnostic, one per line, in the compiler format of
/// <see cref="PolicyDiagnostic.ToString"/>. Warnings are available through <see cref="Diagnostics"/> only.
/// </remarks>
public sealed class PolicyLoadException : Exception
{
    /// <summary>Initializes a new <see cref="PolicyLoadException"/> with a default message and no diagnostics.</summary>
    public PolicyLoadException()
        : this("The policy could not be loaded.")
    {
    }

    /// <summary>Initializes a new <see cref="PolicyLoadException"/> with a message and no diagnostics.</summary>
    /// <param name="message">The message that describes the failure.</param>
    public PolicyLoadException(string message)
        : base(message)
    {
        Diagnostics = [];
    }

    /// <summary>Initializes a new <see cref="PolicyLoadException"/> with a message and the exception that caused it.</summary>
    /// <param name="message">The message that describes the failure.</param>
    /// <param name="innerException">The exception that caused the failure.</param>
    public PolicyLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostics = [];
    }

    /// <summary>Initializes a new <see cref="PolicyLoadException"/> from the diagnostics of a failed load.</summary>
    /// <param name="message">A first line that names the policy, for example <c>policy 'a.json' is invalid</c>.</param>
    /// <param name="diagnostics">Every diagnostic of the load; the errors among them are appended to the message, one per line.</param>
    /// <exception cref="ArgumentNullException"><paramref name="diagnostics"/> is <see langword="null"/>.</exception>
    public PolicyLoadException(string message, IReadOnlyList<PolicyDiagnostic> diagnostics)
        : base(Compose(message, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Gets every diagnostic of the failed load, errors and warnings, in file order.</summary>
    public IReadOnlyList<PolicyDiagnostic> Diagnostics { get; }

    private static string Compose(string message, IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var builder = new StringBuilder(message);
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Severity == PolicyDiagnosticSeverity.Error)
            {
                builder.Append('\n').Append(diagnostic.ToString());
            }
        }

        return builder.ToString();
    }
}
