using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Evaluation;

namespace Guardrails.Policies;

// A rule's inline examples ("examples": {"match": [...], "notMatch": [...]}) are checked every time the policy loads,
// so a rule and its intent cannot drift apart: ValidateShape runs with the other per-file checks, Check runs on the
// merged policy, compiled once, and reports each failing example as an error at the example's own position.
internal static class RuleExamples
{
    private const string ShapeHelp = "Write a shell command string such as \"cp -r /models /tmp\", or a tool call object such as {\"tool\": \"write_file\", \"arguments\": {\"file_path\": \"…\"}, \"cwd\": \"/work\"}.";

    /// <summary>Reports examples that are neither a non-empty string nor a tool call object (GR2301).</summary>
    public static void ValidateShape(PolicyFileContext file, RuleExamplesDocument? examples, string path)
    {
        if (examples is null)
        {
            return;
        }

        ValidateList(file, examples.Match, path + ".match");
        ValidateList(file, examples.NotMatch, path + ".notMatch");
    }

    private static void ValidateList(PolicyFileContext file, List<JsonElement>? examples, string path)
    {
        if (examples is null)
        {
            return;
        }

        for (var i = 0; i < examples.Count; i++)
        {
            if (!TryCreateCall(examples[i], out _, out var problem))
            {
                file.Error("GR2301", JsonPositionIndex.Element(path, i), $"invalid rule example: {problem}", ShapeHelp);
            }
        }
    }

    /// <summary>Reads one example as a tool call: a string is the command of a <c>bash</c> call.</summary>
    public static bool TryCreateCall(JsonElement example, [NotNullWhen(true)] out ToolCall? call, out string problem)
    {
        call = null;
        problem = string.Empty;
        switch (example.ValueKind)
        {
            case JsonValueKind.String:
                var command = example.GetString();
                if (string.IsNullOrWhiteSpace(command))
                {
                    problem = "the example is an empty command";
                    return false;
                }

                call = ToolCall.Shell(command);
                return true;
            case JsonValueKind.Object:
                string? tool = null;
                string? cwd = null;
                JsonElement arguments = default;
                foreach (var property in example.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "tool" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } name:
                            tool = name;
                            break;
                        case "arguments" when property.Value.ValueKind == JsonValueKind.Object:
                            arguments = property.Value;
                            break;
                        case "cwd" when property.Value.ValueKind == JsonValueKind.String:
                            cwd = property.Value.GetString();
                            break;
                        case "tool":
                            problem = "'tool' must be a non-empty string";
                            return false;
                        case "arguments":
                            problem = "'arguments' must be a JSON object";
                            return false;
                        case "cwd":
                            problem = "'cwd' must be a string";
                            return false;
                        default:
                            problem = $"unknown property '{property.Name}'; an example call has tool, arguments and cwd";
                            return false;
                    }
                }

                if (tool is null)
                {
                    problem = "the example call has no 'tool'";
                    return false;
                }

                if (arguments.ValueKind != JsonValueKind.Object)
                {
                    problem = "the example call has no 'arguments'";
                    return false;
                }

                call = new ToolCall(tool, arguments) { WorkingDirectory = cwd };
                return true;
            default:
                problem = $"an example must be a command string or a tool call object, not {example.ValueKind.ToString().ToLowerInvariant()}";
                return false;
        }
    }

    /// <summary>Gets where each rule of <paramref name="merged"/> is written, in the merged order.</summary>
    public static IReadOnlyList<RuleOrigin> Origins(PolicyDocument merged, IReadOnlyList<(PolicyDocument Document, PolicyFileContext File)> files)
    {
        var origins = RuleOrigins(files);
        var rules = merged.Rules ?? [];
        var result = new RuleOrigin[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            result[i] = rules[i] is { } rule && origins.TryGetValue(rule, out var origin)
                ? new RuleOrigin(origin.File, origin.Path)
                : new RuleOrigin(null, JsonPositionIndex.Element("$.rules", i));
        }

        return result;
    }

    /// <summary>
    /// Compiles the merged policy and checks its rules' examples, when any rule has some; returns the compiled policy
    /// (so that it is compiled once) or <see langword="null"/> when there was nothing to check or it does not compile
    /// (compile errors are reported later, by whoever compiles it).
    /// </summary>
    public static CompiledPolicy? CompileAndCheck(PolicyDocument merged, IReadOnlyList<(PolicyDocument Document, PolicyFileContext File)> files, string name, string version)
    {
        if (!Any(merged))
        {
            return null;
        }

        CompiledPolicy compiled;
        try
        {
            compiled = PolicyCompiler.Compile(merged, name, version, null, GuardPolicy.DefaultHomeDirectory);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return null;
        }

        Check(merged, compiled, files);
        return compiled;
    }

    /// <summary>Determines whether any rule of <paramref name="document"/> has examples.</summary>
    public static bool Any(PolicyDocument document) =>
        document.Rules?.Any(r => r?.Examples is { } e && (e.Match is { Count: > 0 } || e.NotMatch is { Count: > 0 })) == true;

    /// <summary>
    /// Evaluates every example of <paramref name="compiled"/>'s rules and reports those that contradict their rule:
    /// GR2302 for a <c>match</c> example the rule does not match, GR2303 for a <c>notMatch</c> example it matches.
    /// </summary>
    /// <param name="merged">The merged document <paramref name="compiled"/> was compiled from (same rule order).</param>
    /// <param name="compiled">The compiled policy.</param>
    /// <param name="files">The files, to find where each rule (and so each example) is written.</param>
    public static void Check(PolicyDocument merged, CompiledPolicy compiled, IReadOnlyList<(PolicyDocument Document, PolicyFileContext File)> files)
    {
        var rules = merged.Rules ?? [];
        var origins = RuleOrigins(files);
        for (var i = 0; i < rules.Count && i < compiled.Rules.Length; i++)
        {
            var rule = rules[i];
            if (rule.Examples is null || !origins.TryGetValue(rule, out var origin))
            {
                continue;
            }

            CheckList(compiled, compiled.Rules[i], rule.Examples.Match, origin, ".examples.match", expected: true);
            CheckList(compiled, compiled.Rules[i], rule.Examples.NotMatch, origin, ".examples.notMatch", expected: false);
        }
    }

    /// <summary>Maps every rule object to the file and JSON path it was written at.</summary>
    public static Dictionary<RuleDocument, (PolicyFileContext File, string Path)> RuleOrigins(IReadOnlyList<(PolicyDocument Document, PolicyFileContext File)> files)
    {
        var origins = new Dictionary<RuleDocument, (PolicyFileContext, string)>(ReferenceEqualityComparer.Instance);
        foreach (var (document, file) in files)
        {
            var rules = document.Rules ?? [];
            for (var i = 0; i < rules.Count; i++)
            {
                if (rules[i] is { } rule)
                {
                    origins[rule] = (file, JsonPositionIndex.Element("$.rules", i));
                }
            }
        }

        return origins;
    }

    private static void CheckList(CompiledPolicy policy, CompiledRule rule, List<JsonElement>? examples, (PolicyFileContext File, string Path) origin, string suffix, bool expected)
    {
        if (examples is null)
        {
            return;
        }

        for (var i = 0; i < examples.Count; i++)
        {
            if (!TryCreateCall(examples[i], out var call, out _))
            {
                continue; // reported by ValidateShape
            }

            var trace = RuleTrace.Run(policy, call);
            if (trace.Matches(rule) == expected)
            {
                continue;
            }

            var text = Describe(examples[i]);
            var path = JsonPositionIndex.Element(origin.Path + suffix, i);
            if (expected)
            {
                var derived = trace.Facts.Count == 0
                    ? "no operations were derived from it"
                    : "derived operations: " + string.Join("; ", trace.Facts.Select(f => f.Operation.Kind.ToName() + " [" + string.Join(", ", CapabilityBits.ToList(f.Capabilities).Select(c => c.Value)) + "]"));
                origin.File.Error("GR2302", path,
                    $"rule '{rule.Id}' does not match its example {text} ({derived})",
                    "Fix the rule's \"when\" so that it matches the example, or fix the example; run 'guardrails explain' on it to see which condition fails.");
            }
            else
            {
                origin.File.Error("GR2303", path,
                    $"rule '{rule.Id}' matches {text}, which its examples say it must not match",
                    "Narrow the rule's \"when\" (for example with \"unless\"), or fix the example; run 'guardrails explain' on it to see which conditions hold.");
            }
        }
    }

    private static string Describe(JsonElement example)
    {
        var text = example.ValueKind == JsonValueKind.String ? "'" + example.GetString() + "'" : example.GetRawText();
        return text.Length > 120 ? string.Concat(text.AsSpan(0, 119), "…") : text;
    }
}

/// <summary>Where a rule of a merged policy is written: its file (a path or <c>builtin:NAME</c>) and JSON path.</summary>
/// <param name="File">The file, or <see langword="null"/> when unknown.</param>
/// <param name="Path">The JSON path of the rule object, for example <c>$.rules[3]</c>.</param>
internal sealed record RuleOrigin(PolicyFileContext? File, string Path)
{
    /// <summary>Gets the file name: a full path or <c>builtin:NAME</c>; <see langword="null"/> when unknown.</summary>
    public string? FileName => File?.Name;

    /// <summary>Gets a value indicating whether the rule comes from an embedded policy.</summary>
    public bool IsBuiltin => FileName?.StartsWith(PolicyLoader.BuiltinPrefix, StringComparison.Ordinal) == true;

    /// <summary>Finds the 1-based line and column of the rule, or of a path inside it (for example <c>.when.paths[0]</c>).</summary>
    public (int Line, int Column) Locate(string suffix = "") => File?.Index.Locate(Path + suffix) ?? (0, 0);
}
