using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Policies;

namespace Guardrails.Evaluation;

/// <summary>
/// A rule's <c>when</c> clause, compiled: every list became a bit mask, a frozen set or a precompiled matcher, so
/// matching allocates nothing and constructs no regex. All present tests must hold (AND); within a list any entry may
/// match (OR).
/// </summary>
internal sealed class CompiledCondition
{
    /// <summary>Gets the required capability bits (any); 0 with <see cref="HasCapabilities"/> means "names only unknown capabilities": never matches.</summary>
    public ulong Capabilities { get; init; }

    public bool HasCapabilities { get; init; }

    /// <summary>Gets the operation kinds as a bit mask over <see cref="OperationKind"/>; 0 = any.</summary>
    public uint Operations { get; init; }

    public ulong Resources { get; init; }

    public bool HasResources { get; init; }

    public CompiledGlob[] Paths
    {
        get;
        init
        {
            field = value;
            _paths = value.Length > 4 ? new GlobSet(value) : null;
        }
    } = [];

    // Many path globs (a rule over every shell start-up file) are matched through a set; a few are simply tried.
    private GlobSet? _paths;

    /// <summary>
    /// Gets a value indicating whether every path of the operation must match <see cref="Paths"/> (set for allow rules,
    /// so that an exception for <c>checkpoints/**</c> never covers a copy from there to <c>/tmp</c>).
    /// </summary>
    public bool AllPathsMustMatch { get; init; }

    public IReadOnlySet<string>? ProgramNames { get; init; }

    public CompiledGlob[] ProgramGlobs { get; init; } = [];

    public ulong ProgramClasses { get; init; }

    public bool HasProgramClasses { get; init; }

    /// <summary>Gets the argument regexes (any); each is constructed on its first match.</summary>
    public PolicyRegex[] Arguments { get; init; } = [];

    public CompiledGlob[] Hosts { get; init; } = [];

    public ulong HostClasses { get; init; }

    public bool HasHostClasses { get; init; }

    public (int From, int To)[] Ports { get; init; } = [];

    public bool? Detached { get; init; }

    public bool? OutsideWorkingDirectory { get; init; }

    public TransferDirection? Direction { get; init; }

    public CompiledGlob[] Tools { get; init; } = [];

    public bool? Self { get; init; }

    public CompiledCondition? Unless { get; init; }

    /// <summary>Gets the sequence condition over the session's history, or <see langword="null"/> when the rule has none.</summary>
    public Sessions.CompiledHistory? History { get; init; }

    /// <summary>Gets an extra predicate for rules built in code rather than from JSON (and for fault-injection tests); null for policy rules.</summary>
    public Func<OperationFacts, bool>? Predicate { get; init; }

    public bool Matches(OperationFacts facts)
    {
        if (Operations != 0 && (Operations & (1u << (int)facts.Operation.Kind)) == 0)
        {
            return false;
        }

        if (HasCapabilities && (Capabilities & facts.Capabilities) == 0)
        {
            return false;
        }

        if (HasResources && (Resources & facts.Resources) == 0)
        {
            return false;
        }

        if (HasProgramClasses && (ProgramClasses & facts.ProgramClasses) == 0)
        {
            return false;
        }

        if (HasHostClasses && (HostClasses & facts.HostClasses) == 0)
        {
            return false;
        }

        if (Detached is { } detached && detached != facts.Detached)
        {
            return false;
        }

        if (OutsideWorkingDirectory is { } outside && outside != Classifier.OutsideWorkingDirectory(facts))
        {
            return false;
        }

        if (Direction is { } direction && direction != facts.Direction)
        {
            return false;
        }

        if (Self is { } self && self != facts.Self)
        {
            return false;
        }

        if ((ProgramNames is not null || ProgramGlobs.Length > 0) && !MatchesProgram(facts.ProgramName))
        {
            return false;
        }

        if (Paths.Length > 0 && !(AllPathsMustMatch ? MatchesAllPaths(facts.Paths) : MatchesAnyPath(facts.Paths)))
        {
            return false;
        }

        if (Hosts.Length > 0 && (facts.Host is null || !AnyGlob(Hosts, facts.Host.ToLowerInvariant())))
        {
            return false;
        }

        if (Ports.Length > 0 && !MatchesPort(facts.Port))
        {
            return false;
        }

        if (Tools.Length > 0 && !AnyGlob(Tools, facts.ToolName))
        {
            return false;
        }

        if (Arguments.Length > 0 && !MatchesArguments(facts.ArgumentText))
        {
            return false;
        }

        if (Predicate is not null && !Predicate(facts))
        {
            return false;
        }

        if (History is not null && !History.Holds(facts.Session))
        {
            return false;
        }

        return Unless is null || !Unless.Matches(facts);
    }

    private bool MatchesProgram(string? program)
    {
        if (string.IsNullOrEmpty(program))
        {
            return false;
        }

        if (ProgramNames is not null && ProgramNames.Contains(program))
        {
            return true;
        }

        return AnyGlob(ProgramGlobs, program);
    }

    private bool MatchesAnyPath(List<string> paths)
    {
        foreach (var path in paths)
        {
            if (MatchesPath(path))
            {
                return true;
            }
        }

        return false;
    }

    private bool MatchesAllPaths(List<string> paths)
    {
        if (paths.Count == 0)
        {
            return false;
        }

        foreach (var path in paths)
        {
            if (!MatchesPath(path))
            {
                return false;
            }
        }

        return true;
    }

    private bool MatchesPath(string path) => _paths?.IsMatch(path) ?? AnyGlob(Paths, path);

    private bool MatchesPort(int? port)
    {
        if (port is not { } p)
        {
            return false;
        }

        foreach (var (from, to) in Ports)
        {
            if (p >= from && p <= to)
            {
                return true;
            }
        }

        return false;
    }

    private bool MatchesArguments(string text)
    {
        foreach (var regex in Arguments)
        {
            if (regex.IsMatch(text))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyGlob(CompiledGlob[] globs, string text)
    {
        foreach (var glob in globs)
        {
            if (glob.IsMatch(text))
            {
                return true;
            }
        }

        return false;
    }
}
