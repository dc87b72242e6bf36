using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Guardrails.Cli.IO;

/// <summary>
/// Reads one input line of <c>guardrails evaluate</c> into a <see cref="ToolCall"/>:
/// <c>{"id": …, "session": "…", "agent": "…", "tool": "bash", "arguments": {…}, "cwd": "…"}</c>.
/// </summary>
/// <remarks>
/// <para><c>tool</c> (a non-empty string) and <c>arguments</c> (a JSON object, or a string holding one as OpenAI-style tool
/// calls carry them) are required; <c>id</c> is a string or a number; <c>session</c>, <c>agent</c> and <c>cwd</c> are
/// strings; <c>null</c> counts as absent; other properties are ignored.</para>
/// <para>Duplicate property names are rejected anywhere in the line: a host and the guard must not be able to read
/// different values out of the same line.</para>
/// </remarks>
internal sealed class ToolCallLine : IDisposable
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    private readonly JsonDocument _document;
    private readonly JsonDocument? _arguments;

    private ToolCallLine(JsonDocument document, JsonDocument? arguments, ToolCall call)
    {
        _document = document;
        _arguments = arguments;
        Call = call;
    }

    /// <summary>Gets the tool call; its JSON is valid until this object is disposed.</summary>
    public ToolCall Call { get; }

    /// <summary>Parses one line.</summary>
    /// <param name="line">The line as UTF-8, without its terminator. Must not change until the result is disposed.</param>
    /// <param name="defaultWorkingDirectory">The working directory for calls without <c>cwd</c>.</param>
    /// <param name="result">The parsed call, to be disposed after use, when the line is valid.</param>
    /// <param name="id">The line's id, when it could be read (also for invalid lines).</param>
    /// <param name="problem">What is wrong, when the line is invalid.</param>
    /// <returns><see langword="true"/> when the line is a valid tool call.</returns>
    public static bool TryParse(ReadOnlyMemory<byte> line, string? defaultWorkingDirectory, [NotNullWhen(true)] out ToolCallLine? result, out InputId id, out string problem)
    {
        result = null;
        id = InputId.None;
        problem = string.Empty;
        if (line.Span.Trim(" \t\r"u8).IsEmpty)
        {
            problem = "empty line";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            id = SalvageId(line.Span);
            problem = Describe("invalid JSON", ex, line.Span);
            return false;
        }

        JsonDocument? arguments = null;
        try
        {
            if (!TryRead(document.RootElement, defaultWorkingDirectory, ref id, out arguments, out var call, out problem))
            {
                arguments?.Dispose();
                document.Dispose();
                return false;
            }

            result = new ToolCallLine(document, arguments, call);
            return true;
        }
        catch
        {
            arguments?.Dispose();
            document.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _arguments?.Dispose();
        _document.Dispose();
    }

    private static bool TryRead(JsonElement root, string? defaultWorkingDirectory, ref InputId id, out JsonDocument? argumentsDocument, [NotNullWhen(true)] out ToolCall? call, out string problem)
    {
        argumentsDocument = null;
        call = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = $"the line is a JSON {Kind(root.ValueKind)}, not an object";
            return false;
        }

        if (root.TryGetProperty("id"u8, out var idElement))
        {
            switch (idElement.ValueKind)
            {
                case JsonValueKind.String:
                    // Echoed as written; an id that is not valid Unicode still identifies the line.
                    var raw = idElement.GetRawText();
                    id = InputId.FromJson(raw, TryGetString(idElement, out var text) ? text : raw);
                    break;
                case JsonValueKind.Number:
                    var number = idElement.GetRawText();
                    id = InputId.FromJson(number, number);
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    problem = $"'id' must be a string or a number, not {Kind(idElement.ValueKind)}";
                    return false;
            }
        }

        if (!root.TryGetProperty("tool"u8, out var toolElement) || toolElement.ValueKind == JsonValueKind.Null)
        {
            problem = "missing 'tool'";
            return false;
        }

        if (toolElement.ValueKind != JsonValueKind.String)
        {
            problem = $"'tool' must be a non-empty string, not {Kind(toolElement.ValueKind)}";
            return false;
        }

        if (!TryGetString(toolElement, out var tool))
        {
            problem = InvalidUnicode("tool");
            return false;
        }

        if (tool.Length == 0)
        {
            problem = "'tool' must be a non-empty string";
            return false;
        }

        if (!TryReadString(root, "session", out var session, out problem)
            || !TryReadString(root, "agent", out var agent, out problem)
            || !TryReadString(root, "cwd", out var cwd, out problem))
        {
            return false;
        }

        if (!root.TryGetProperty("arguments"u8, out var arguments))
        {
            problem = "missing 'arguments'";
            return false;
        }

        if (arguments.ValueKind == JsonValueKind.String)
        {
            // OpenAI-style tool calls carry the arguments as a string of JSON.
            if (!TryGetString(arguments, out var text))
            {
                problem = InvalidUnicode("arguments");
                return false;
            }

            try
            {
                argumentsDocument = JsonDocument.Parse(text, DocumentOptions);
            }
            catch (JsonException ex)
            {
                problem = Describe("'arguments' is a string but not valid JSON", ex, Encoding.UTF8.GetBytes(text));
                return false;
            }

            arguments = argumentsDocument.RootElement;
            if (arguments.ValueKind != JsonValueKind.Object)
            {
                problem = $"'arguments' is a string that holds a JSON {Kind(arguments.ValueKind)}, not an object";
                return false;
            }
        }
        else if (arguments.ValueKind != JsonValueKind.Object)
        {
            problem = $"'arguments' must be a JSON object (or a string containing one), not {Kind(arguments.ValueKind)}";
            return false;
        }

        call = new ToolCall(tool, arguments)
        {
            CallId = id.Text,
            SessionId = session,
            AgentId = agent,
            WorkingDirectory = cwd ?? defaultWorkingDirectory,
        };
        problem = string.Empty;
        return true;
    }

    private static bool TryReadString(JsonElement root, string name, out string? value, out string problem)
    {
        value = null;
        problem = string.Empty;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problem = $"'{name}' must be a string, not {Kind(element.ValueKind)}";
            return false;
        }

        if (!TryGetString(element, out value))
        {
            problem = InvalidUnicode(name);
            return false;
        }

        return true;
    }

    // GetString throws for escapes that encode unpaired surrogates ("\ud800"), which JSON's grammar allows.
    private static bool TryGetString(JsonElement element, [NotNullWhen(true)] out string? value)
    {
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    private static string InvalidUnicode(string name) => $"'{name}' is not valid Unicode text (it escapes an unpaired surrogate)";

    // Best effort for lines that are not valid JSON: the id, if it comes as a complete top-level value before the error.
    private static InputId SalvageId(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
                {
                    if (!reader.Read())
                    {
                        break;
                    }

                    // ValueSpan is the token as written (a string without its quotes, escapes kept).
                    var raw = Encoding.UTF8.GetString(reader.ValueSpan);
                    return reader.TokenType switch
                    {
                        JsonTokenType.String => InputId.FromJson("\"" + raw + "\"", raw),
                        JsonTokenType.Number => InputId.FromJson(raw, raw),
                        _ => InputId.None,
                    };
                }

                if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The error comes before any id.
        }

        return InputId.None;
    }

    // JsonException positions are 0-based UTF-8 byte offsets; people count 1-based characters.
    private static string Describe(string what, JsonException ex, ReadOnlySpan<byte> json)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        if (cut > 0)
        {
            message = message[..cut];
        }

        if (ex.BytePositionInLine is { } position && (ex.LineNumber ?? 0) == 0)
        {
            var bytes = (int)Math.Clamp(position, 0, json.Length);
            var column = Encoding.UTF8.GetCharCount(json[..bytes]) + 1;
            return $"{what} at column {column}: {message}";
        }

        return $"{what}: {message}";
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
