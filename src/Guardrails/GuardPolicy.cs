using System.Diagnostics.CodeAnalysis;
using Guardrails.Evaluation;
using Guardrails.Policies;

namespace Guardrails;

/// <summary>
/// Represents a loaded, validated policy: the merged result of a policy file and the policies it extends, ready to be
/// compiled into a <see cref="Guard"/>.
/// </summary>
/// <remarks>
/// Instances are immutable and thread-safe. Load problems are reported all at once as <see cref="PolicyDiagnostic"/>s
/// with file, line, column and JSON path; warnings of a successful load are kept in <see cref="Diagnostics"/>.
/// </remarks>
public sealed class GuardPolicy
{
    private static readonly Lazy<GuardPolicy> DefaultPolicy = new(() => LoadBuiltin("default"));
    private readonly Lazy<CompiledPolicy> _compiled;

    private GuardPolicy(PolicyLoadResult result)
    {
        Document = result.Document!;
        Name = result.Name;
        Version = result.Version;
        Diagnostics = result.Diagnostics;
        RuleOrigins = result.RuleOrigins;
        _compiled = result.Compiled is { } compiled
            ? new Lazy<CompiledPolicy>(compiled)
            : new Lazy<CompiledPolicy>(() => Compile(null, DefaultHomeDirectory), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the policy name: <c>builtin:NAME</c> or the full path of the policy file.</summary>
    public string Name { get; }

    /// <summary>Gets the content hash of every file the policy was built from; decisions record it.</summary>
    public string Version { get; }

    /// <summary>Gets the warnings reported while loading (a successful load has no errors).</summary>
    public IReadOnlyList<PolicyDiagnostic> Diagnostics { get; }

    /// <summary>Gets the embedded default policy (<c>builtin:default</c>).</summary>
    public static GuardPolicy Default => DefaultPolicy.Value;

    /// <summary>Gets the names of the embedded policies, for example <c>builtin:default</c>.</summary>
    public static IReadOnlyList<string> BuiltinNames => PolicyLoader.BuiltinNames;

    internal PolicyDocument Document { get; }

    /// <summary>Gets where each rule of <see cref="Document"/> is written, in the same order.</summary>
    internal IReadOnlyList<RuleOrigin> RuleOrigins { get; }

    internal CompiledPolicy Compiled => _compiled.Value;

    internal static string DefaultHomeDirectory =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : "/root";

    /// <summary>Loads a policy by name: <c>builtin:NAME</c> for an embedded policy, otherwise a file path.</summary>
    /// <param name="policy">The policy name or path.</param>
    /// <returns>The loaded policy.</returns>
    /// <exception cref="PolicyLoadException">The policy could not be loaded; <see cref="PolicyLoadException.Diagnostics"/> lists every problem.</exception>
    public static GuardPolicy Load(string policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(policy);
        return FromResult(PolicyLoader.Load(policy));
    }

    /// <summary>Loads a policy file.</summary>
    /// <param name="path">The path of the JSON policy file.</param>
    /// <returns>The loaded policy.</returns>
    /// <exception cref="PolicyLoadException">The policy could not be loaded.</exception>
    public static GuardPolicy LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromResult(PolicyLoader.LoadFile(path));
    }

    /// <summary>Loads an embedded policy.</summary>
    /// <param name="name">The name, with or without the <c>builtin:</c> prefix, for example <c>default</c>.</param>
    /// <returns>The loaded policy.</returns>
    /// <exception cref="PolicyLoadException">No embedded policy has that name.</exception>
    public static GuardPolicy LoadBuiltin(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return FromResult(PolicyLoader.LoadBuiltin(name));
    }

    /// <summary>Parses a policy from JSON text.</summary>
    /// <param name="json">The policy JSON.</param>
    /// <param name="sourceName">The name used in diagnostics and decisions.</param>
    /// <param name="baseDirectory">The directory relative <c>extends</c> paths resolve against; the current directory when <see langword="null"/>.</param>
    /// <returns>The loaded policy.</returns>
    /// <exception cref="PolicyLoadException">The policy is invalid.</exception>
    public static GuardPolicy Parse(string json, string sourceName = "(inline)", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromResult(PolicyLoader.LoadText(json, sourceName, baseDirectory));
    }

    /// <summary>Tries to load a policy by name (<c>builtin:NAME</c>) or path, reporting problems instead of throwing.</summary>
    /// <param name="policy">The policy name or path.</param>
    /// <param name="result">The policy, when it loaded.</param>
    /// <param name="diagnostics">Every error and warning.</param>
    /// <returns><see langword="true"/> when the policy loaded.</returns>
    public static bool TryLoad(string policy, [NotNullWhen(true)] out GuardPolicy? result, out IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var loaded = PolicyLoader.Load(policy);
        diagnostics = loaded.Diagnostics;
        result = null;
        if (!loaded.Success || loaded.Document is null)
        {
            return false;
        }

        try
        {
            result = new GuardPolicy(loaded);
            _ = result.Compiled;
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            diagnostics = [.. diagnostics, CompileFailure(loaded.Name, ex)];
            result = null;
            return false;
        }
    }

    internal CompiledPolicy Compile(SelfDocument? extraSelf, string homeDirectory, bool hostAware = false, string? version = null) =>
        PolicyCompiler.Compile(Document, Name, version ?? Version, extraSelf, homeDirectory, hostAware);

    private static GuardPolicy FromResult(PolicyLoadResult loaded)
    {
        if (!loaded.Success || loaded.Document is null)
        {
            throw new PolicyLoadException(FormatMessage(loaded.Name, loaded.Diagnostics), loaded.Diagnostics);
        }

        var policy = new GuardPolicy(loaded);
        try
        {
            _ = policy.Compiled; // compile eagerly so a bad policy fails here, not at the first decision
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            var diagnostics = new List<PolicyDiagnostic>(loaded.Diagnostics) { CompileFailure(loaded.Name, ex) };
            throw new PolicyLoadException(FormatMessage(loaded.Name, diagnostics), diagnostics);
        }

        return policy;
    }

    private static PolicyDiagnostic CompileFailure(string name, Exception ex) =>
        new("GR1998", PolicyDiagnosticSeverity.Error, $"the policy could not be compiled: {ex.Message}", "Run 'guardrails validate' on the policy file for details.", name, 0, 0, null);

    private static string FormatMessage(string name, IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Select(d => d.ToString());
        return $"Policy '{name}' could not be loaded:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}";
    }
}
