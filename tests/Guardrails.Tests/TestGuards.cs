using System.Text.Json;
using Guardrails.Actions;

namespace Guardrails.Tests;

/// <summary>Shared helpers: a guard on the embedded default policy and short ways to build tool calls.</summary>
internal static class TestGuards
{
    public const string Home = "/home/agent";

    private static readonly Lazy<Guard> DefaultGuard = new(() => new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = Home }));

    public static Guard Default => DefaultGuard.Value;

    public static Decision Shell(string command, string? cwd = Home) => Default.Evaluate(ToolCall.Shell(command, cwd));

    public static Decision Call(string tool, string argumentsJson, string? cwd = Home) =>
        Default.Evaluate(WithCwd(ToolCall.FromJson(tool, argumentsJson), cwd));

    private static ToolCall WithCwd(ToolCall call, string? cwd) => new(call.Name, call.Arguments) { WorkingDirectory = cwd };

    public static Guard WithPolicy(string json, Action<GuardOptions>? configure = null)
    {
        var options = new GuardOptions { HomeDirectory = Home };
        configure?.Invoke(options);
        return new Guard(GuardPolicy.Parse(json), options);
    }

    public static ToolCall Tool(string tool, object arguments, string? cwd = Home) =>
        new(tool, JsonSerializer.SerializeToElement(arguments)) { WorkingDirectory = cwd };

    public static IEnumerable<Operation> OperationsOf(Decision decision) => decision.Operations.Select(o => o.Operation);
}
