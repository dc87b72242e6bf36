using System.Text.Json;
using System.Text.Json.Serialization;

namespace Guardrails.Policies;

// The on-disk policy format. These types mirror the JSON exactly (camelCase, unknown members rejected) and carry no
// behaviour: PolicyLoader reads them, PolicyValidator checks them, PolicyCompiler turns them into a CompiledPolicy.
// Every collection is nullable so that "absent" (inherit from the base policy) and "empty" (clear) stay distinct.

internal sealed class PolicyDocument
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; set; }

    /// <summary>The format version; only 1 exists.</summary>
    public int? Version { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    /// <summary>Base policies (<c>builtin:NAME</c> or a path relative to this file), applied in order before this file.</summary>
    public List<string>? Extends { get; set; }

    public SelfDocument? Self { get; set; }

    public CatalogsDocument? Catalogs { get; set; }

    /// <summary>Tool name → how to interpret its arguments.</summary>
    public Dictionary<string, ToolBindingDocument>? Tools { get; set; }

    public ThresholdsDocument? Thresholds { get; set; }

    public LimitsDocument? Limits { get; set; }

    /// <summary><c>deny</c> (default) or <c>escalate</c>: the verdict when evaluation fails.</summary>
    public string? OnError { get; set; }

    /// <summary><c>allow</c> (default), <c>escalate</c> or <c>deny</c>: the verdict for a tool with no binding and nothing suspicious in its arguments.</summary>
    public string? UnknownTools { get; set; }

    /// <summary><c>enforce</c> (default) or <c>audit</c>: audit policies never block, they report what enforcement would have done.</summary>
    public string? Mode { get; set; }

    public List<RuleDocument>? Rules { get; set; }

    /// <summary>Ids of rules inherited from base policies that this policy removes.</summary>
    public List<string>? RemoveRules { get; set; }
}

/// <summary>The contract section telling the guard what the agent itself is made of (field names fixed by the product brief).</summary>
internal sealed class SelfDocument
{
    public List<string>? AgentDirectories { get; set; }

    public List<string>? ModelDirectories { get; set; }

    public List<int>? ServingPorts { get; set; }

    public List<string>? ProcessNames { get; set; }

    public List<string>? GuardPaths { get; set; }

    public List<string>? GuardProcesses { get; set; }

    /// <summary>Base URLs the agent's model is served on, for example <c>http://127.0.0.1:8000/v1</c>.</summary>
    public List<string>? Endpoints { get; set; }

    /// <summary>Environment variables that configure the guard (protected from change).</summary>
    public List<string>? GuardEnvironment { get; set; }
}

internal sealed class CatalogsDocument
{
    /// <summary>Resource kind → how to recognise its files. Entries are merged with those of base policies.</summary>
    public Dictionary<string, ResourceCatalogDocument>? Resources { get; set; }

    /// <summary>Program class (for example <c>inference-server</c>) → program names or globs.</summary>
    public Dictionary<string, List<string>>? Programs { get; set; }

    /// <summary>Program class → Python modules that make <c>python -m MODULE</c> a member of the class.</summary>
    public Dictionary<string, List<string>>? PythonModules { get; set; }

    /// <summary>Host class (for example <c>trusted</c>) → host names or globs.</summary>
    public Dictionary<string, List<string>>? Hosts { get; set; }

    /// <summary>Words in a prompt sent to a model endpoint that ask it to copy, replicate or start itself.</summary>
    public List<string>? ReplicationPhrases { get; set; }
}

internal sealed class ResourceCatalogDocument
{
    /// <summary>Path globs; a path that matches, or lies below a match, is of this kind.</summary>
    public List<string>? Paths { get; set; }

    /// <summary>File-name suffixes (for example <c>.safetensors</c>) that make any file of this kind.</summary>
    public List<string>? Extensions { get; set; }

    /// <summary>File-name globs (for example <c>pytorch_model*.bin</c>) that make any file of this kind.</summary>
    public List<string>? Names { get; set; }

    /// <summary>Suffixes that count only inside a directory whose name matches <see cref="ContextDirectories"/>.</summary>
    public List<string>? ContextExtensions { get; set; }

    /// <summary>Directory-name globs that give <see cref="ContextExtensions"/> their meaning (for example <c>*model*</c>).</summary>
    public List<string>? ContextDirectories { get; set; }
}

internal sealed class ToolBindingDocument
{
    /// <summary>shell, python, file-write, file-edit, file-read, file-copy, process, http or generic.</summary>
    public string? Interpreter { get; set; }

    /// <summary>Argument role (for example <c>command</c>, <c>cwd</c>) → candidate argument names, first present wins.</summary>
    public Dictionary<string, List<string>>? Arguments { get; set; }
}

internal sealed class ThresholdsDocument
{
    public int? Escalate { get; set; }

    public int? Deny { get; set; }
}

internal sealed class LimitsDocument
{
    public int? MaxInputLength { get; set; }

    public int? MaxOperations { get; set; }

    public int? MaxNestingDepth { get; set; }

    public int? MaxDecodedLength { get; set; }
}

internal sealed class RuleDocument
{
    public string? Id { get; set; }

    public string? Description { get; set; }

    /// <summary>The reason shown to people and to the model when the rule fires.</summary>
    public string? Message { get; set; }

    /// <summary>The capability reported in findings; defaults to the first capability of the condition or of the operation.</summary>
    public string? Capability { get; set; }

    /// <summary><c>score</c> (default), <c>escalate</c>, <c>deny</c> or <c>allow</c> (an exception that suppresses other findings on the operations it matches).</summary>
    public string? Effect { get; set; }

    public int? Score { get; set; }

    public ConditionDocument? When { get; set; }

    /// <summary>For <c>allow</c> rules: the rule ids or capabilities whose findings are suppressed (default: all).</summary>
    public List<string>? Suppresses { get; set; }

    /// <summary>Tool calls the rule must match and must not match, checked every time the policy loads.</summary>
    public RuleExamplesDocument? Examples { get; set; }
}

/// <summary>A rule's inline examples: each entry is a shell command string or a tool call object <c>{"tool", "arguments", "cwd"}</c>.</summary>
internal sealed class RuleExamplesDocument
{
    public List<JsonElement>? Match { get; set; }

    public List<JsonElement>? NotMatch { get; set; }
}

internal sealed class ConditionDocument
{
    public List<string>? Capabilities { get; set; }

    public List<string>? Operations { get; set; }

    public List<string>? Resources { get; set; }

    public List<string>? Paths { get; set; }

    public List<string>? Programs { get; set; }

    public List<string>? ProgramClasses { get; set; }

    /// <summary>Regular expressions (run with <c>RegexOptions.NonBacktracking</c>) over the operation's argument text.</summary>
    public List<string>? Arguments { get; set; }

    public List<string>? Hosts { get; set; }

    public List<string>? HostClasses { get; set; }

    /// <summary>Ports or ranges such as <c>8000-8100</c>.</summary>
    public List<JsonElement>? Ports { get; set; }

    public bool? Detached { get; set; }

    /// <summary>true: the operation names an absolute path outside the call's working directory.</summary>
    public bool? OutsideWorkingDirectory { get; set; }

    public string? Direction { get; set; }

    public List<string>? Tools { get; set; }

    public bool? Self { get; set; }

    public ConditionDocument? Unless { get; set; }

    /// <summary>A sequence condition: earlier actions of the same session must have matched something.</summary>
    public HistoryConditionDocument? History { get; set; }
}

/// <summary>
/// A sequence condition over the session's remembered history: at least <see cref="AtLeast"/> earlier operations matched
/// <see cref="Match"/> (or host-reported <see cref="Notices"/> were received), within the last <see cref="Within"/>
/// tool calls or ever.
/// </summary>
internal sealed class HistoryConditionDocument
{
    /// <summary>The condition an earlier operation of the session must have matched.</summary>
    public ConditionDocument? Match { get; set; }

    /// <summary>Host-reported notices (for example <c>shutdown</c>) received earlier in the session.</summary>
    public List<string>? Notices { get; set; }

    /// <summary>Only the last N tool calls count (and notices received since); absent: everything the session remembers.</summary>
    public int? Within { get; set; }

    /// <summary>How many earlier matching operations (or notices) are required; default 1.</summary>
    public int? AtLeast { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(PolicyDocument))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext;
