using System.Collections.Frozen;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Interpreters;

namespace Guardrails.Evaluation;

/// <summary>Whether a policy enforces its verdicts or only reports them.</summary>
internal enum PolicyMode
{
    Enforce,
    Audit,
}

/// <summary>
/// The immutable, thread-safe form of a policy: catalogs compiled into matchers, rules into conditions with indexes.
/// Built once by <see cref="PolicyCompiler"/>; nothing in it changes afterwards, so any number of threads may evaluate
/// against it at once.
/// </summary>
internal sealed class CompiledPolicy
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public required PolicyMode Mode { get; init; }

    public required Verdict OnError { get; init; }

    public required Verdict UnknownTools { get; init; }

    public required int EscalateThreshold { get; init; }

    public required int DenyThreshold { get; init; }

    public required EvaluationLimits Limits { get; init; }

    public required Catalog Catalog { get; init; }

    public required FrozenDictionary<string, ToolBinding> Tools { get; init; }

    /// <summary>Tool bindings by lower-cased name, for hosts that vary the case of tool names.</summary>
    public required FrozenDictionary<string, ToolBinding> ToolsIgnoreCase { get; init; }

    public required CompiledRule[] Rules { get; init; }

    public required RuleIndex Index { get; init; }

    /// <summary>Gets what session tracking needs from the policy: its history conditions, indexed for recording.</summary>
    public Sessions.SessionPolicy Session { get; init; } = Sessions.SessionPolicy.Empty;

    /// <summary>Looks up the interpreter binding for a tool, exact name first, then case-insensitively.</summary>
    public ToolBinding? FindTool(string name)
    {
        if (Tools.TryGetValue(name, out var binding))
        {
            return binding;
        }

        return ToolsIgnoreCase.TryGetValue(name.ToLowerInvariant(), out binding) ? binding : null;
    }
}

/// <summary>Resource limits that keep one decision bounded in time and memory.</summary>
internal sealed record EvaluationLimits
{
    /// <summary>The longest text of any one argument, in characters.</summary>
    public int MaxInputLength { get; init; } = 1_048_576;

    /// <summary>The most operations one tool call may derive before the rest is treated as opaque.</summary>
    public int MaxOperations { get; init; } = 4_096;

    /// <summary>The deepest nesting of inline code (bash -c inside eval inside $(…)) that is analysed.</summary>
    public int MaxNestingDepth { get; init; } = 16;

    /// <summary>The most characters decoded from inline payloads (base64, hex) per tool call.</summary>
    public int MaxDecodedLength { get; init; } = 262_144;
}
