using System.Text.Json;
using Guardrails.Classification;
using Guardrails.Evaluation;

namespace Guardrails.Interpreters;

/// <summary>Everything an interpreter needs for one tool call: the call, its binding, the limits, and where results go.</summary>
internal sealed class InterpretationContext
{
    public InterpretationContext(ToolCall call, ToolBinding binding, CompiledPolicy policy, OperationSink sink)
    {
        Call = call;
        Binding = binding;
        Policy = policy;
        Sink = sink;
    }

    public ToolCall Call { get; }

    public ToolBinding Binding { get; }

    public CompiledPolicy Policy { get; }

    public Catalog Catalog => Policy.Catalog;

    public EvaluationLimits Limits => Policy.Limits;

    public OperationSink Sink { get; }

    /// <summary>Gets or sets the working directory: the tool's <c>cwd</c>-like argument, else the call's.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Normalizes a path against the working directory.</summary>
    public string Normalize(string path) => Catalog.Normalize(path, WorkingDirectory);

    /// <summary>
    /// Reads the string argument for <paramref name="role"/>. Returns <see langword="false"/> when no candidate is
    /// present; records a shape problem (and returns <see langword="false"/>) when one is present but is not a string
    /// or is over the size limit.
    /// </summary>
    public bool TryGetString(string role, out string value, out string name)
    {
        value = string.Empty;
        name = string.Empty;
        if (!TryGetElement(role, out var element, out name))
        {
            return false;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            if (element.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            Sink.AddProblem("guardrails.input.shape", $"argument '{name}' of tool '{Call.Name}' should be a string but is {element.ValueKind.ToString().ToLowerInvariant()}", name, TextSpan.Empty);
            return false;
        }

        value = element.GetString() ?? string.Empty;
        if (value.Length > Limits.MaxInputLength)
        {
            Sink.AddProblem("guardrails.limit.input-size", $"argument '{name}' is {value.Length} characters long, over the limit of {Limits.MaxInputLength}", name, new TextSpan(0, 0));
            value = string.Empty;
            return false;
        }

        return true;
    }

    /// <summary>Finds the first argument named by <paramref name="role"/>'s candidates.</summary>
    public bool TryGetElement(string role, out JsonElement element, out string name)
    {
        element = default;
        name = string.Empty;
        if (Call.Arguments.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (!Binding.Arguments.TryGetValue(role, out var names))
        {
            return false;
        }

        var utf8 = Binding.Utf8Names[role];
        for (var i = 0; i < names.Length; i++)
        {
            if (Call.Arguments.TryGetProperty(utf8[i], out element))
            {
                name = names[i];
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads a required string argument; when it is absent or not a string, records one shape problem and returns
    /// <see langword="false"/> (the call cannot be understood, so it must not pass).
    /// </summary>
    public bool RequireString(string role, out string value, out string name)
    {
        var problems = Sink.Problems.Count;
        if (TryGetString(role, out value, out name))
        {
            return true;
        }

        if (Sink.Problems.Count == problems)
        {
            Missing(role);
        }

        return false;
    }

    /// <summary>Records that a required argument is missing: the call cannot be understood, so it must not pass.</summary>
    public void Missing(string role)
    {
        var names = Binding.Names(role);
        Sink.AddProblem(
            "guardrails.input.shape",
            $"tool '{Call.Name}' is bound to the {Binding.Interpreter.ToString().ToLowerInvariant()} interpreter but has no string argument for '{role}' (looked for: {string.Join(", ", names)})",
            string.Empty,
            TextSpan.Empty);
    }
}
