using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;

namespace Guardrails.SemanticKernel;

/// <summary>Converts <see cref="KernelArguments"/> into the JSON object a <see cref="ToolCall"/> carries.</summary>
internal static class KernelArgumentsJson
{
    /// <summary>Writes every argument as a property of one JSON object. Never throws for argument values.</summary>
    public static JsonElement ToJsonObject(KernelArguments? arguments, JsonSerializerOptions serializerOptions)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (arguments is not null)
            {
                foreach (var (name, value) in arguments)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value, serializerOptions);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions serializerOptions)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case JsonElement element when element.ValueKind == JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonDocument document:
                document.RootElement.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong number:
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            default:
                WriteSerialized(writer, value, serializerOptions);
                break;
        }
    }

    private static void WriteSerialized(Utf8JsonWriter writer, object value, JsonSerializerOptions serializerOptions)
    {
        JsonElement serialized;
        try
        {
            // The non-generic JsonTypeInfo overload is trimming- and AOT-safe: it uses whatever resolver the options have.
            serialized = JsonSerializer.SerializeToElement(value, serializerOptions.GetTypeInfo(value.GetType()));
        }
#pragma warning disable CA1031 // Any failure to serialize an application-supplied value falls back to its text, never to an exception in the filter.
        catch (Exception)
#pragma warning restore CA1031
        {
            writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            return;
        }

        serialized.WriteTo(writer);
    }
}
