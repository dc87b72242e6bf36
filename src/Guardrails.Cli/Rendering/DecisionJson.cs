using System.Text.Encodings.Web;
using System.Text.Json;
using Guardrails.Actions;

namespace Guardrails.Cli.Rendering;

/// <summary>
/// Writes a whole decision as one JSON document (<c>guardrails check --json</c>): what scripts consume.
/// </summary>
/// <remarks>
/// <para>Shape (every key always present unless marked optional; optional keys are left out when they have no value):</para>
/// <code>
/// {
///   "verdict": "deny", "score": 100, "shadow": null, "error": null,
///   "policy": "builtin:default", "version": "0123456789abcdef",
///   "tool": "bash", "argument": "command", "command": "nohup vllm serve … &amp;",
///   "rules": ["replica.launch.detached"], "reasons": ["…"],
///   "findings": [{
///     "ruleId": "…", "capability": "replica.launch", "message": "…", "score": 100, "effect": "deny",
///     "evidence": { "source": "command", "start": 0, "length": 45, "text": "…", "operation": "process.launch", "via": "…"(optional) }
///   }],
///   "operations": [{
///     "kind": "process.launch", "source": "command", "start": 0, "length": 45, "text": "…", "via": "…"(optional),
///     "capabilities": ["replica.launch"], "resources": ["inference-server"],
///     …fields of the kind, for example "program", "arguments", "detached" (optional)
///   }]
/// }
/// </code>
/// <para>Spans count UTF-16 code units from the start of the argument, like <see cref="TextSpan"/>. Contents that may be
/// large or secret (file contents, HTTP bodies, environment values) are not included.</para>
/// </remarks>
internal static class DecisionJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true, NewLine = "\n" };

    /// <summary>Writes <paramref name="decision"/> as an indented JSON document followed by a newline.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="tool">The tool name of the call.</param>
    /// <param name="argument">The argument the command was passed in.</param>
    /// <param name="command">The command.</param>
    /// <param name="output">Where to write.</param>
    public static void Write(Decision decision, string tool, string argument, string command, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Options))
        {
            json.WriteStartObject();
            json.WriteString("verdict", Names.Of(decision.Verdict));
            json.WriteNumber("score", decision.Score);
            WriteVerdictOrNull(json, "shadow", decision.ShadowVerdict);
            json.WriteString("error", decision.Error);
            json.WriteString("policy", decision.PolicyName);
            json.WriteString("version", decision.PolicyVersion);
            json.WriteString("tool", tool);
            json.WriteString("argument", argument);
            json.WriteString("command", command);
            WriteStrings(json, "rules", decision.RuleIds);
            WriteStrings(json, "reasons", decision.Reasons);

            json.WriteStartArray("findings");
            foreach (var finding in decision.Findings)
            {
                json.WriteStartObject();
                json.WriteString("ruleId", finding.RuleId);
                json.WriteString("capability", finding.Capability.Value);
                json.WriteString("message", finding.Message);
                json.WriteNumber("score", finding.Score);
                json.WriteString("effect", Names.Of(finding.Effect));
                json.WriteStartObject("evidence");
                var evidence = finding.Evidence;
                json.WriteString("source", evidence.Source);
                json.WriteNumber("start", evidence.Span.Start);
                json.WriteNumber("length", evidence.Span.Length);
                json.WriteString("text", evidence.Text);
                json.WriteString("operation", evidence.Operation?.Kind.ToName());
                WriteOptional(json, "via", evidence.Operation?.Via);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("operations");
            foreach (var analyzed in decision.Operations)
            {
                WriteOperation(json, analyzed, argument, command);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.Write(System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
        output.Write('\n');
    }

    private static void WriteOperation(Utf8JsonWriter json, AnalyzedOperation analyzed, string argument, string command)
    {
        var operation = analyzed.Operation;
        json.WriteStartObject();
        json.WriteString("kind", operation.Kind.ToName());
        json.WriteString("source", operation.Source);
        json.WriteNumber("start", operation.Span.Start);
        json.WriteNumber("length", operation.Span.Length);
        json.WriteString("text", string.Equals(operation.Source, argument, StringComparison.Ordinal) ? operation.Span.Slice(command) : string.Empty);
        WriteOptional(json, "via", operation.Via);
        json.WriteStartArray("capabilities");
        foreach (var capability in analyzed.Capabilities)
        {
            json.WriteStringValue(capability.Value);
        }

        json.WriteEndArray();
        json.WriteStartArray("resources");
        foreach (var resource in analyzed.Resources)
        {
            json.WriteStringValue(resource.Value);
        }

        json.WriteEndArray();
        switch (operation)
        {
            case ProcessLaunch launch:
                json.WriteString("program", launch.Program);
                WriteStrings(json, "arguments", launch.Arguments);
                json.WriteBoolean("detached", launch.Detached);
                WriteOptional(json, "detachedBy", launch.DetachedBy);
                WriteOptional(json, "script", launch.Script);
                WriteOptional(json, "module", launch.Module);
                WriteOptional(json, "workingDirectory", launch.WorkingDirectory);
                break;
            case FileOperation file:
                json.WriteString("action", file.Action.ToString().ToLowerInvariant());
                json.WriteString("path", file.Path);
                WriteStrings(json, "sources", file.Sources);
                json.WriteBoolean("recursive", file.Recursive);
                json.WriteBoolean("archive", file.Archive);
                WriteOptional(json, "program", file.Program);
                break;
            case NetworkTransfer transfer:
                json.WriteString("direction", transfer.Direction.ToString().ToLowerInvariant());
                json.WriteString("program", transfer.Program);
                WriteOptional(json, "host", transfer.Host);
                WriteOptional(json, "port", transfer.Port);
                WriteOptional(json, "remote", transfer.Remote);
                WriteStrings(json, "localPaths", transfer.LocalPaths);
                break;
            case NetworkListen listen:
                json.WriteString("program", listen.Program);
                WriteOptional(json, "host", listen.Host);
                WriteOptional(json, "port", listen.Port);
                break;
            case SignalSend send:
                json.WriteString("signal", send.Signal);
                WriteStrings(json, "targets", send.Targets);
                WriteOptional(json, "program", send.Program);
                break;
            case SignalTrap trap:
                WriteStrings(json, "signals", trap.Signals);
                WriteOptional(json, "handler", trap.Handler);
                break;
            case ScheduledTask task:
                json.WriteString("mechanism", task.Mechanism);
                WriteOptional(json, "command", task.Command);
                WriteOptional(json, "path", task.Path);
                break;
            case RemoteExecution remote:
                json.WriteString("transport", remote.Transport);
                json.WriteString("host", remote.Host);
                WriteOptional(json, "command", remote.Command);
                break;
            case ComputeProvision compute:
                json.WriteString("provider", compute.Provider);
                json.WriteString("action", compute.Action);
                WriteOptional(json, "workload", compute.Workload);
                break;
            case HttpRequestOperation http:
                json.WriteString("method", http.Method);
                json.WriteString("url", http.Url);
                WriteOptional(json, "host", http.Host);
                WriteOptional(json, "port", http.Port);
                WriteStrings(json, "uploadedFiles", http.UploadedFiles);
                break;
            case EnvironmentChange environment:
                json.WriteString("name", environment.Name);
                json.WriteBoolean("removed", environment.Value is null);
                break;
            case OpaqueCode opaque:
                json.WriteString("language", opaque.Language);
                json.WriteString("reason", opaque.Reason);
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteVerdictOrNull(Utf8JsonWriter json, string name, Verdict? verdict)
    {
        if (verdict is { } value)
        {
            json.WriteString(name, Names.Of(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
    }
}
