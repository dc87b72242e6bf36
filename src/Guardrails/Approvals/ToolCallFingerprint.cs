using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Guardrails.Approvals;

/// <summary>
/// Computes the fingerprint that binds an approval to exactly one tool call: the tool name and a canonical form of its
/// JSON arguments, hashed with SHA-256.
/// </summary>
/// <remarks>
/// <para>The canonical form sorts object properties by ordinal name (stable, so duplicate names keep their order),
/// removes insignificant whitespace, writes strings with one fixed escaping, and writes every number in one exact form
/// (<c>1</c>, <c>1.0</c>, <c>1e0</c> and <c>10e-1</c> are the same number; no precision is lost). Missing arguments
/// and JSON <c>null</c> arguments canonicalize to <c>{}</c>. Any other difference — a changed value, an added or
/// removed property, a different tool name — changes the fingerprint.</para>
/// <para>All members are thread-safe and never throw for unusual JSON: input that cannot be canonicalized is hashed
/// from its raw text, which still binds the approval to that exact text.</para>
/// </remarks>
public static class ToolCallFingerprint
{
    private const int MaxDepth = 128;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
        MaxDepth = MaxDepth + 1,
    };

    /// <summary>Computes the fingerprint of <paramref name="call"/>: its name and canonical arguments.</summary>
    /// <param name="call">The tool call.</param>
    /// <returns>64 lowercase hexadecimal characters (SHA-256).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
    public static string Compute(ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Compute(call.Name, call.Arguments);
    }

    /// <summary>Computes the fingerprint of a call to <paramref name="toolName"/> with <paramref name="arguments"/>.</summary>
    /// <param name="toolName">The tool name; compared exactly (ordinal, case-sensitive).</param>
    /// <param name="arguments">The arguments; <see cref="JsonValueKind.Undefined"/> for none.</param>
    /// <returns>64 lowercase hexadecimal characters (SHA-256).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="toolName"/> is null.</exception>
    public static string Compute(string toolName, JsonElement arguments)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        var canonical = new ArrayBufferWriter<byte>(256);
        WriteCanonical(canonical, arguments);
        var buffer = new ArrayBufferWriter<byte>(canonical.WrittenCount + (toolName.Length * 3) + 1);
        buffer.Write(Encoding.UTF8.GetBytes(toolName));
        buffer.Write<byte>([0]);
        buffer.Write(canonical.WrittenSpan);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>Returns the canonical JSON text of <paramref name="arguments"/> that <see cref="Compute(string, JsonElement)"/> hashes.</summary>
    /// <param name="arguments">The arguments; <see cref="JsonValueKind.Undefined"/> for none.</param>
    /// <returns>The canonical JSON text, for example <c>{"a":1,"b":"x"}</c>.</returns>
    public static string Canonicalize(JsonElement arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteCanonical(buffer, arguments);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical form into an empty <paramref name="buffer"/>.</summary>
    private static void WriteCanonical(ArrayBufferWriter<byte> buffer, JsonElement arguments)
    {
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            buffer.Write("{}"u8);
            return;
        }

        try
        {
            using var writer = new Utf8JsonWriter(buffer, WriterOptions);
            WriteValue(writer, arguments, 0);
            writer.Flush();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            // Lone surrogates, excessive depth and the like: bind to the exact raw text instead. A distinct prefix
            // keeps such input from ever colliding with a canonical form.
            buffer.ResetWrittenCount();
            buffer.Write("raw:"u8);
            buffer.Write(Encoding.UTF8.GetBytes(arguments.GetRawText()));
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement element, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException("The arguments are nested too deeply to canonicalize.");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<(string Name, int Index, JsonElement Value)>();
                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    properties.Add((property.Name, index++, property.Value));
                }

                properties.Sort(static (a, b) =>
                {
                    var byName = string.CompareOrdinal(a.Name, b.Name);
                    return byName != 0 ? byName : a.Index.CompareTo(b.Index);
                });
                writer.WriteStartObject();
                foreach (var (name, _, value) in properties)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(CanonicalNumber(element.GetRawText()), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// Writes a JSON number exactly, as significant digits and a decimal exponent: <c>-0.0120e3</c> → <c>-12</c>,
    /// <c>1.50</c> → <c>15e-1</c>, <c>0e5</c> → <c>0</c>.
    /// </summary>
    internal static string CanonicalNumber(string raw)
    {
        var text = raw.AsSpan().Trim();
        var negative = text.Length > 0 && text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        var exponentAt = text.IndexOfAny('e', 'E');
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        long exponent = 0;
        if (exponentAt >= 0 && !long.TryParse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return raw.Trim().ToLowerInvariant();
        }

        var point = mantissa.IndexOf('.');
        var digits = new StringBuilder(mantissa.Length);
        if (point < 0)
        {
            digits.Append(mantissa);
        }
        else
        {
            digits.Append(mantissa[..point]).Append(mantissa[(point + 1)..]);
            exponent -= mantissa.Length - point - 1;
        }

        var first = 0;
        while (first < digits.Length && digits[first] == '0')
        {
            first++;
        }

        if (first == digits.Length)
        {
            return "0";
        }

        var last = digits.Length - 1;
        while (digits[last] == '0')
        {
            last--;
            exponent++;
        }

        var significant = digits.ToString(first, last - first + 1);
        if (exponent is > 1_000_000_000 or < -1_000_000_000)
        {
            return raw.Trim().ToLowerInvariant();
        }

        var result = (negative ? "-" : string.Empty) + significant;
        return exponent == 0 ? result : result + "e" + exponent.ToString(CultureInfo.InvariantCulture);
    }
}
