using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Guardrails.Cli.IO;

namespace Guardrails.Cli.Rendering;

/// <summary>
/// Writes the answers of <c>guardrails evaluate</c>: one compact JSON object per line, keys in the contract's order
/// (<c>id</c>, <c>decision</c>, <c>score</c>, <c>rules</c>, <c>reasons</c>, then <c>error</c> and <c>shadow</c> when
/// they apply).
/// </summary>
/// <remarks>Reuses one buffer and one <see cref="Utf8JsonWriter"/> for every line; not thread-safe.</remarks>
internal sealed class JsonLinesWriter : IDisposable
{
    /// <summary>The JSON writer options shared by the CLI: compact, and no needless escaping of quotes or non-ASCII text.</summary>
    public static readonly JsonWriterOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly TextWriter _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private char[] _chars = new char[1024];

    /// <summary>Initializes a new <see cref="JsonLinesWriter"/>.</summary>
    /// <param name="output">Where the lines go. Not disposed by the writer.</param>
    public JsonLinesWriter(TextWriter output)
    {
        _output = output;
        _json = new Utf8JsonWriter(_buffer, CompactOptions);
    }

    /// <summary>Writes the answer for a decided call.</summary>
    /// <param name="id">The id of the input line.</param>
    /// <param name="decision">The decision.</param>
    public void WriteDecision(InputId id, Decision decision)
    {
        Begin(id, Names.Of(decision.Verdict), decision.Score);
        _json.WriteStartArray("rules");
        foreach (var rule in decision.RuleIds)
        {
            _json.WriteStringValue(rule);
        }

        _json.WriteEndArray();
        _json.WriteStartArray("reasons");
        foreach (var reason in decision.Reasons)
        {
            _json.WriteStringValue(reason);
        }

        _json.WriteEndArray();
        if (decision.Error is not null)
        {
            _json.WriteString("error", decision.Error);
        }

        if (decision.ShadowVerdict is { } shadow)
        {
            _json.WriteString("shadow", Names.Of(shadow));
        }

        End();
    }

    /// <summary>Writes a deny for a line that could not be evaluated.</summary>
    /// <param name="id">The id, when it could be read.</param>
    /// <param name="rule">The rule id, for example <c>guardrails.input.malformed</c>.</param>
    /// <param name="reason">The human-readable reason.</param>
    /// <param name="error">The error, starting with <c>line N:</c>.</param>
    public void WriteFailure(InputId id, string rule, string reason, string error)
    {
        Begin(id, "deny", 100);
        _json.WriteStartArray("rules");
        _json.WriteStringValue(rule);
        _json.WriteEndArray();
        _json.WriteStartArray("reasons");
        _json.WriteStringValue(reason);
        _json.WriteEndArray();
        _json.WriteString("error", error);
        End();
    }

    /// <summary>Flushes the lines written so far to the output.</summary>
    public void Flush() => _output.Flush();

    /// <inheritdoc />
    public void Dispose() => _json.Dispose();

    private void Begin(InputId id, string decision, int score)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WritePropertyName("id");
        id.WriteTo(_json);
        _json.WriteString("decision", decision);
        _json.WriteNumber("score", score);
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
        var bytes = _buffer.WrittenSpan;
        var needed = Utf8.GetMaxCharCount(bytes.Length) + 1;
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var count = Utf8.GetChars(bytes, _chars);
        _chars[count++] = '\n';
        _output.Write(_chars, 0, count);
    }
}
