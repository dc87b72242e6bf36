using System.Text;
using System.Text.Json;
using Guardrails.Cli.Rendering;

namespace Guardrails.Cli.Hooks;

/// <summary>
/// Decides hook calls through a running <c>guardrails serve</c> (<c>guardrails hook --server URL</c>), so that calls of
/// one agent session share a history across hook processes. Any failure to get an answer throws, and the hook blocks.
/// </summary>
internal static class RemoteDecider
{
    /// <summary>How long to wait for the service before blocking the call.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Decides <paramref name="calls"/> in one batch and returns one decision per call.</summary>
    /// <param name="server">The service's base URL, for example <c>http://127.0.0.1:8787</c>.</param>
    /// <param name="calls">The calls.</param>
    /// <returns>The decisions, in order.</returns>
    /// <exception cref="InvalidOperationException">The service did not answer with one decision per call.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    public static IReadOnlyList<HookDecision> Decide(Uri server, IReadOnlyList<ToolCall> calls)
    {
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body, JsonLinesWriter.CompactOptions))
        {
            json.WriteStartArray();
            foreach (var call in calls)
            {
                json.WriteStartObject();
                json.WriteString("id", call.CallId);
                json.WriteString("session", call.SessionId);
                json.WriteString("tool", call.Name);
                json.WritePropertyName("arguments");
                call.Arguments.WriteTo(json);
                json.WriteString("cwd", call.WorkingDirectory);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        using var client = new HttpClient { Timeout = Timeout };
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, "v1/decide/batch")) { Content = content };
        using var response = client.Send(request);
        using var stream = response.Content.ReadAsStream();
        using var document = JsonDocument.Parse(stream);
        if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() != calls.Count)
        {
            throw new InvalidOperationException($"the decision service at {server} answered {(int)response.StatusCode} without one decision per call");
        }

        return [.. document.RootElement.EnumerateArray().Select(Read)];
    }

    private static HookDecision Read(JsonElement answer)
    {
        var verdict = answer.GetProperty("decision").GetString() switch
        {
            "allow" => Verdict.Allow,
            "escalate" => Verdict.Escalate,
            _ => Verdict.Deny, // anything unexpected is a deny
        };
        Verdict? shadow = answer.TryGetProperty("shadow", out var shadowElement) ? shadowElement.GetString() switch
        {
            "allow" => Verdict.Allow,
            "escalate" => Verdict.Escalate,
            _ => Verdict.Deny,
        } : null;
        return new HookDecision(
            verdict,
            answer.TryGetProperty("score", out var score) && score.TryGetInt32(out var value) ? value : 100,
            Strings(answer, "rules"),
            Strings(answer, "reasons"),
            "guardrails serve",
            shadow);
    }

    private static string[] Strings(JsonElement answer, string name) =>
        answer.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];

    /// <summary>Describes a failure for the block reason.</summary>
    /// <param name="server">The service.</param>
    /// <param name="exception">What went wrong.</param>
    /// <returns>The reason.</returns>
    public static string Describe(Uri server, Exception exception) =>
        new StringBuilder("the decision service at ").Append(server).Append(" did not answer: ").Append(exception.GetType().Name).Append(": ").Append(exception.Message).ToString();
}
