namespace Guardrails.Policies;

// The outcome of loading a policy: never an exception, always every diagnostic, so callers choose how to fail and a
// hot reload can keep the previous good policy when the new one has errors.
internal sealed class PolicyLoadResult
{
    private readonly PolicyDocument? _document;

    internal PolicyLoadResult(string name, PolicyDocument? document, IReadOnlyList<PolicyDiagnostic> diagnostics, string version, IReadOnlyList<string> sources)
    {
        Name = name;
        Diagnostics = diagnostics;
        Version = version;
        Sources = sources;
        Success = !diagnostics.Any(d => d.Severity == PolicyDiagnosticSeverity.Error);
        _document = Success ? document : null;
        Success &= _document is not null;
    }

    /// <summary>Gets the merged document; <see langword="null"/> when any error diagnostic exists.</summary>
    public PolicyDocument? Document => _document;

    /// <summary>Gets every diagnostic, errors and warnings, ordered by file (in load order), line and column.</summary>
    public IReadOnlyList<PolicyDiagnostic> Diagnostics { get; }

    /// <summary>Gets a value indicating whether the policy loaded without errors (warnings allowed).</summary>
    public bool Success { get; }

    /// <summary>Gets <c>builtin:NAME</c> or the full path of the top file.</summary>
    public string Name { get; }

    /// <summary>Gets the first 16 hex digits of the SHA-256 of every file's bytes in load order, each separated by a 0 byte.</summary>
    public string Version { get; }

    /// <summary>Gets the files and builtins read, in load order (bases before the files that extend them).</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>Gets the merged policy compiled with the default home directory, when loading already compiled it (to check rule examples).</summary>
    public Evaluation.CompiledPolicy? Compiled { get; init; }

    /// <summary>Gets where each rule of <see cref="Document"/> is written, in the same order.</summary>
    public IReadOnlyList<RuleOrigin> RuleOrigins { get; init; } = [];

    /// <summary>Gets the error diagnostics only.</summary>
    public IEnumerable<PolicyDiagnostic> Errors => Diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error);

    /// <summary>Returns the document, or throws when loading failed.</summary>
    /// <exception cref="PolicyLoadException">The policy has error diagnostics.</exception>
    public PolicyDocument GetDocumentOrThrow() =>
        _document ?? throw new PolicyLoadException($"Policy '{Name}' is invalid:", Diagnostics);
}
