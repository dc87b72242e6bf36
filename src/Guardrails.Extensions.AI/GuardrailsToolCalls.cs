using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Guardrails.Extensions.AI;

/// <summary>
/// Maps Microsoft.Extensions.AI function calls to Guardrails <see cref="ToolCall"/>s (the text the model reads for a
/// denied call is <see cref="Decision.ToModelMessage"/>). Use it where a host executes function calls itself (for example calls to declaration-only tools that
/// <see cref="FunctionInvokingChatClient"/> returns to the caller).
/// </summary>
/// <remarks>All members are thread-safe and never throw for unusual argument values: a value that cannot be written
/// as JSON is passed to the guard as its string form.</remarks>
public static class GuardrailsToolCalls
{
    /// <summary>Maps a function call the model made to a tool call.</summary>
    /// <param name="call">The function call.</param>
    /// <param name="options">Supplies the session, agent and working directory; <see langword="null"/> for none.</param>
    /// <param name="chatOptions">The options of the chat request, for its session id and working directory; <see langword="null"/> for none.</param>
    /// <returns>The tool call: the function name, its arguments as a JSON object, the call id, and the context.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    public static ToolCall FromFunctionCall(FunctionCallContent call, GuardrailsChatClientOptions? options = null, ChatOptions? chatOptions = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Create(call.Name, call.Arguments, call.CallId, options, chatOptions, null);
    }

    /// <summary>Maps a function invocation (what <see cref="FunctionInvokingChatClient"/> is about to run) to a tool call.</summary>
    /// <param name="context">The invocation: the function that will run and the arguments it will get.</param>
    /// <param name="options">Supplies the session, agent and working directory; <see langword="null"/> for none.</param>
    /// <returns>The tool call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static ToolCall FromInvocation(FunctionInvocationContext context, GuardrailsChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Create(context.Function.Name, context.Arguments, context.CallContent.CallId, options, context.Options, context.Function.JsonSerializerOptions);
    }

    internal static ToolCall Create(string name, IEnumerable<KeyValuePair<string, object?>>? arguments, string? callId, GuardrailsChatClientOptions? options, ChatOptions? chatOptions, JsonSerializerOptions? serializerOptions)
    {
        return new ToolCall(string.IsNullOrEmpty(name) ? "(unnamed)" : name, ToJson(arguments, serializerOptions))
        {
            CallId = string.IsNullOrEmpty(callId) ? null : callId,
            SessionId = SessionOf(options, chatOptions),
            AgentId = options?.AgentId,
            WorkingDirectory = Property(chatOptions, GuardrailsChatClientOptions.WorkingDirectoryProperty) ?? options?.WorkingDirectory,
        };
    }

    internal static string? SessionOf(GuardrailsChatClientOptions? options, ChatOptions? chatOptions) =>
        Property(chatOptions, GuardrailsChatClientOptions.SessionIdProperty)
        ?? (string.IsNullOrEmpty(chatOptions?.ConversationId) ? null : chatOptions.ConversationId)
        ?? options?.SessionId;

    /// <summary>Writes the arguments as one JSON object, in their order. Never throws.</summary>
    internal static JsonElement ToJson(IEnumerable<KeyValuePair<string, object?>>? arguments, JsonSerializerOptions? serializerOptions)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (arguments is not null)
            {
                foreach (var (key, value) in arguments)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, value, serializerOptions);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions? serializerOptions)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return;
            case JsonElement element when element.ValueKind == JsonValueKind.Undefined:
                writer.WriteNullValue();
                return;
            case JsonElement element:
                element.WriteTo(writer);
                return;
            case JsonDocument document:
                document.RootElement.WriteTo(writer);
                return;
            case JsonNode node:
                node.WriteTo(writer);
                return;
            case string text:
                writer.WriteStringValue(text);
                return;
            case bool flag:
                writer.WriteBooleanValue(flag);
                return;
            case double number when !double.IsFinite(number):
                writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
                return;
            case float number when !float.IsFinite(number):
                writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
                return;
            case int or long or short or byte or sbyte or ushort or uint or ulong or float or double or decimal:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!, skipInputValidation: false);
                return;
        }

        // Anything else: serialize with the function's own contract (it can describe its parameter types), else the
        // shared defaults, else pass its text. The serialized form goes into a scratch buffer first so that a
        // failure half-way never leaves a broken document.
        foreach (var options in new[] { serializerOptions, AIJsonUtilities.DefaultOptions })
        {
            if (options is null)
            {
                continue;
            }

            try
            {
                var element = JsonSerializer.SerializeToElement(value, options.GetTypeInfo(value.GetType()));
                element.WriteTo(writer);
                return;
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or JsonException)
            {
                // try the next contract
            }
        }

        writer.WriteStringValue(value.ToString());
    }

    private static string? Property(ChatOptions? options, string key) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(key, out var value) && value is string { Length: > 0 } text ? text : null;
}
