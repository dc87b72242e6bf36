using System.Text.Json;

namespace Guardrails.Cli.IO;

/// <summary>The <c>id</c> of an input line, echoed back exactly as given: a JSON string, a JSON number, or absent (<c>null</c>).</summary>
internal readonly struct InputId
{
    private readonly string? _json;

    private InputId(string json, string text)
    {
        _json = json;
        Text = text;
    }

    /// <summary>Gets the absent id, written as <c>null</c>.</summary>
    public static InputId None => default;

    /// <summary>Gets the id as text (a string's value, a number's JSON text) for <see cref="ToolCall.CallId"/>; <see langword="null"/> when absent.</summary>
    public string? Text { get; }

    /// <summary>Creates an id from the JSON text of a string or number value, kept exactly as written (for example <c>1.50</c> or <c>"c\u0031"</c>).</summary>
    /// <param name="json">The value's JSON text, already validated by a JSON reader.</param>
    /// <param name="text">The value as text.</param>
    /// <returns>The id.</returns>
    public static InputId FromJson(string json, string text) => new(json, text);

    /// <summary>Writes the id as a JSON value.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        if (_json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(_json, skipInputValidation: true);
        }
    }
}
