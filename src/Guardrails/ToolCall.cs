using System.Text.Json;

namespace Guardrails;

/// <summary>
/// Represents a tool call an agent proposes, in a framework-neutral form: the tool's name, its JSON arguments, and
/// optional context about the session, agent and working directory.
/// </summary>
/// <remarks>Instances are immutable and may be shared between threads.</remarks>
public sealed class ToolCall
{
    /// <summary>Initializes a new <see cref="ToolCall"/>.</summary>
    /// <param name="name">The tool name, for example <c>bash</c> or <c>write_file</c>.</param>
    /// <param name="arguments">The arguments; usually a JSON object.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public ToolCall(string name, JsonElement arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Arguments = arguments.ValueKind == JsonValueKind.Undefined ? default : arguments;
    }

    /// <summary>Gets the tool name.</summary>
    public string Name { get; }

    /// <summary>Gets the arguments as JSON; <see cref="JsonValueKind.Undefined"/> when none were given.</summary>
    public JsonElement Arguments { get; }

    /// <summary>Gets the identifier of the call, for example the model's tool-call id.</summary>
    public string? CallId { get; init; }

    /// <summary>
    /// Gets the agent session the call belongs to; calls with the same session id form one history (see
    /// <see cref="GuardOptions.Sessions"/>). A call without one is decided on its own and is not remembered.
    /// </summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the identifier of the agent that proposes the call.</summary>
    public string? AgentId { get; init; }

    /// <summary>Gets the working directory relative paths resolve against, when the host knows it.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Creates a tool call from a JSON text of arguments.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="argumentsJson">The arguments as JSON text.</param>
    /// <returns>The tool call.</returns>
    /// <exception cref="JsonException"><paramref name="argumentsJson"/> is not valid JSON.</exception>
    public static ToolCall FromJson(string name, string argumentsJson)
    {
        ArgumentNullException.ThrowIfNull(argumentsJson);
        using var document = JsonDocument.Parse(argumentsJson);
        return new ToolCall(name, document.RootElement.Clone());
    }

    /// <summary>Creates a shell tool call (tool <c>bash</c>) that runs <paramref name="command"/>.</summary>
    /// <param name="command">The shell command line.</param>
    /// <param name="workingDirectory">The working directory, when known.</param>
    /// <returns>The tool call.</returns>
    public static ToolCall Shell(string command, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var element = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["command"] = command }, ToolCallJsonContext.Default.DictionaryStringString);
        return new ToolCall("bash", element) { WorkingDirectory = workingDirectory };
    }
}
