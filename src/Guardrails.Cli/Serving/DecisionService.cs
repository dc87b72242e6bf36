using System.Text;
using System.Text.Json;
using Guardrails.Cli.IO;
using Guardrails.Cli.Rendering;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Guardrails.Cli.Serving;

/// <summary>
/// The HTTP endpoints of <c>guardrails serve</c>. Requests and answers use the JSON of the <c>evaluate</c> contract, read
/// and written with <see cref="ToolCallLine"/> and <see cref="JsonLinesWriter"/>, so the service and the CLI can never
/// disagree about the format; no reflection-based serialization is involved (AOT-safe).
/// </summary>
internal sealed class DecisionService(PolicyHost host, ILogger logger)
{
    /// <summary>The largest request body read.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>The most calls one batch may hold.</summary>
    public const int MaxBatchSize = 10_000;

    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Handles <c>POST /v1/decide</c>: one tool call in, one decision out.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the answer is written.</returns>
    public async Task DecideAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await WriteFailureAsync(context, StatusCodes.Status413PayloadTooLarge, "the request body is too large").ConfigureAwait(false);
            return;
        }

        using var output = new StringWriter();
        using (var writer = new JsonLinesWriter(output))
        {
            if (!Answer(writer, host.Guard, body, out var problem))
            {
                Log.BadRequest(logger, context.Request.Path, problem);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        }

        await WriteJsonAsync(context, output.ToString().TrimEnd('\n')).ConfigureAwait(false);
    }

    /// <summary>Handles <c>POST /v1/decide/batch</c>: a JSON array of tool calls in, an array of decisions out, in order.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the answer is written.</returns>
    public async Task DecideBatchAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await WriteFailureAsync(context, StatusCodes.Status413PayloadTooLarge, "the request body is too large").ConfigureAwait(false);
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            await WriteFailureAsync(context, StatusCodes.Status400BadRequest, "the body is not valid JSON: " + ex.Message).ConfigureAwait(false);
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                await WriteFailureAsync(context, StatusCodes.Status400BadRequest, "the body of a batch must be a JSON array of tool calls").ConfigureAwait(false);
                return;
            }

            if (document.RootElement.GetArrayLength() > MaxBatchSize)
            {
                await WriteFailureAsync(context, StatusCodes.Status413PayloadTooLarge, $"a batch holds at most {MaxBatchSize} calls").ConfigureAwait(false);
                return;
            }

            var guard = host.Guard; // one policy for the whole batch, even if a reload happens meanwhile
            using var output = new StringWriter();
            using (var writer = new JsonLinesWriter(output))
            {
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    Answer(writer, guard, Encoding.UTF8.GetBytes(element.GetRawText()), out _);
                }
            }

            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await WriteJsonAsync(context, "[" + string.Join(",", lines) + "]").ConfigureAwait(false);
        }
    }

    /// <summary>Handles <c>GET /healthz</c>: 200 with the policy in service, or 503 while the service is fail-closed.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the answer is written.</returns>
    public Task HealthAsync(HttpContext context)
    {
        var policy = host.Policy;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonLinesWriter.CompactOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", policy is null ? "fail-closed" : "ok");
            json.WriteString("policy", policy?.Name);
            json.WriteString("version", policy?.Version);
            json.WriteNumber("reloads", host.Reloads);
            json.WriteNumber("rejectedReloads", host.RejectedReloads);
            json.WriteString("lastError", host.LastError);
            json.WriteEndObject();
        }

        context.Response.StatusCode = policy is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return WriteJsonAsync(context, Encoding.UTF8.GetString(stream.ToArray()));
    }

    // Answers one call; a call that cannot be read is denied (fail closed), as evaluate does.
    private static bool Answer(JsonLinesWriter writer, Guard guard, ReadOnlyMemory<byte> body, out string problem)
    {
        ToolCallLine? parsed;
        InputId id;
        bool valid;
        try
        {
            valid = ToolCallLine.TryParse(body, null, out parsed, out id, out problem);
        }
#pragma warning disable CA1031 // Fail closed: an unreadable call is denied.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            (valid, parsed, id, problem) = (false, null, InputId.None, "the tool call cannot be read: " + ex.Message);
        }

        if (!valid || parsed is null)
        {
            writer.WriteFailure(id, Commands.EvaluateCommand.MalformedRule, "the tool call is malformed: " + problem, problem);
            return false;
        }

        using (parsed)
        {
            Decision decision;
            try
            {
                decision = guard.Evaluate(parsed.Call);
            }
#pragma warning disable CA1031 // Fail closed: a failing evaluation is a deny.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                writer.WriteFailure(id, Commands.EvaluateCommand.InternalErrorRule, "the tool call could not be evaluated", $"internal error: {ex.GetType().Name}: {ex.Message}");
                return true;
            }

            writer.WriteDecision(id, decision);
            return true;
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private static Task WriteFailureAsync(HttpContext context, int status, string problem)
    {
        context.Response.StatusCode = status;
        using var output = new StringWriter();
        using (var writer = new JsonLinesWriter(output))
        {
            writer.WriteFailure(InputId.None, Commands.EvaluateCommand.MalformedRule, "the request is malformed: " + problem, problem);
        }

        return WriteJsonAsync(context, output.ToString().TrimEnd('\n'));
    }

    private static Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = JsonContentType;
        return context.Response.WriteAsync(json + "\n", context.RequestAborted);
    }
}
