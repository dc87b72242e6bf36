namespace Guardrails.Policies;

/// <summary>Specifies how serious a <see cref="PolicyDiagnostic"/> is.</summary>
public enum PolicyDiagnosticSeverity
{
    /// <summary>The policy cannot be used: loading fails and no document is produced.</summary>
    Error,

    /// <summary>The policy can be used, but part of it is probably not what its author meant.</summary>
    Warning,
}
