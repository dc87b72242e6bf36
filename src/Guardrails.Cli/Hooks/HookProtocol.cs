using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Guardrails.Cli.Rendering;

namespace Guardrails.Cli.Hooks;

/// <summary>The coding agents whose pre-tool-use hook protocol <c>guardrails hook</c> speaks.</summary>
internal enum HookAgent
{
    /// <summary>Claude Code, <c>PreToolUse</c> hooks.</summary>
    Claude,

    /// <summary>Gemini CLI, <c>BeforeTool</c> hooks.</summary>
    Gemini,
}

/// <summary>One pre-tool-use request of a coding agent, read from the hook's standard input.</summary>
/// <param name="Agent">The agent whose protocol the answer must use.</param>
/// <param name="ToolName">The agent's tool name, for example <c>Bash</c> or <c>mcp__fs__write_file</c>.</param>
/// <param name="Calls">The tool calls to decide (more than one when the tool has several plausible bindings); the strictest decision answers.</param>
internal sealed record HookRequest(HookAgent Agent, string ToolName, IReadOnlyList<ToolCall> Calls);

/// <summary>The part of a decision a hook answer carries: from a local <see cref="Decision"/> or from <c>guardrails serve</c>.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Score">The score.</param>
/// <param name="Rules">The rules that fired.</param>
/// <param name="Reasons">The reasons, one sentence each.</param>
/// <param name="Policy">The policy that decided.</param>
/// <param name="Shadow">The verdict an enforcing policy would give, when the policy runs in audit mode.</param>
internal sealed record HookDecision(Verdict Verdict, int Score, IReadOnlyList<string> Rules, IReadOnlyList<string> Reasons, string Policy, Verdict? Shadow)
{
    /// <summary>Takes the answer's part of a local decision.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns>The hook decision.</returns>
    public static HookDecision From(Decision decision) =>
        new(decision.Verdict, decision.Score, decision.RuleIds, decision.Reasons, decision.PolicyName, decision.ShadowVerdict);
}

/// <summary>
/// Reads the hook input of Claude Code (<c>PreToolUse</c>) and Gemini CLI (<c>BeforeTool</c>) and writes their answers.
/// </summary>
/// <remarks>
/// <para>Claude Code sends <c>{session_id, transcript_path, cwd, permission_mode, hook_event_name: "PreToolUse", tool_name,
/// tool_input, tool_use_id}</c> and reads <c>{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision":
/// "allow"|"deny"|"ask", "permissionDecisionReason": …}}</c> with exit code 0.</para>
/// <para>Gemini CLI sends <c>{session_id, transcript_path, cwd, hook_event_name: "BeforeTool", timestamp, tool_name,
/// tool_input}</c> and reads <c>{"decision": "allow"|"deny", "reason": …}</c> with exit code 0.</para>
/// <para>Both treat exit code 2 as "block, with standard error as the reason" and any other non-zero exit as a hook
/// failure that lets the tool run — so every failure of the guard itself must end in exit code 2.</para>
/// </remarks>
internal static class HookProtocol
{
    /// <summary>The largest hook input read (a Write of a large file carries its content).</summary>
    public const int MaxInputBytes = 32 * 1024 * 1024;

    private const string McpPrefix = "mcp__";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    // Gemini CLI tool names that are not among the core's default bindings, mapped to one that is.
    private static readonly Dictionary<string, string> GeminiAliases = new(StringComparer.Ordinal)
    {
        ["replace"] = "edit_file",
        ["read_many_files"] = "read_file",
    };

    /// <summary>Parses a hook input.</summary>
    /// <param name="json">The input bytes.</param>
    /// <param name="forced">The agent named on the command line, used when the input does not say.</param>
    /// <param name="request">The request.</param>
    /// <param name="agent">The agent whose protocol the answer uses, as far as it could be told (also on failure).</param>
    /// <param name="problem">What is wrong, when the input is not a valid request.</param>
    /// <returns><see langword="true"/> when the input is a valid request.</returns>
    public static bool TryParse(ReadOnlySpan<byte> json, HookAgent? forced, [NotNullWhen(true)] out HookRequest? request, out HookAgent? agent, out string problem)
    {
        request = null;
        agent = forced;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), DocumentOptions);
        }
        catch (JsonException ex)
        {
            problem = "the hook input is not valid JSON: " + ex.Message;
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the hook input is not a JSON object";
                return false;
            }

            var eventName = String(root, "hook_event_name");
            switch (eventName)
            {
                case "PreToolUse":
                    agent = HookAgent.Claude;
                    break;
                case "BeforeTool":
                    agent = HookAgent.Gemini;
                    break;
                case null when forced is not null:
                    break;
                case null:
                    problem = "the hook input has no hook_event_name; pass --agent claude or --agent gemini";
                    return false;
                default:
                    problem = $"hook event '{eventName}' is not a pre-tool-use event; configure guardrails hook for PreToolUse (Claude Code) or BeforeTool (Gemini CLI)";
                    return false;
            }

            if (String(root, "tool_name") is not { Length: > 0 } toolName)
            {
                problem = "the hook input has no tool_name";
                return false;
            }

            if (!root.TryGetProperty("tool_input", out var input) || input.ValueKind != JsonValueKind.Object)
            {
                problem = "the hook input has no tool_input object";
                return false;
            }

            var arguments = input.Clone();
            var cwd = String(root, "cwd");
            var session = String(root, "session_id");
            var callId = String(root, "tool_use_id");
            ToolCall Call(string name) => new(name, arguments) { WorkingDirectory = cwd, SessionId = session, CallId = callId };

            var calls = new List<ToolCall>();
            var name = agent == HookAgent.Gemini && GeminiAliases.TryGetValue(toolName, out var alias) ? alias : toolName;
            calls.Add(Call(name));

            // MCP tools (mcp__server__tool): also decide the call as the bare tool, so that a server's "execute_command"
            // or "write_file" is interpreted like the built-in one; policies can still match the full name.
            if (toolName.StartsWith(McpPrefix, StringComparison.Ordinal))
            {
                var rest = toolName[McpPrefix.Length..];
                var separator = rest.IndexOf("__", StringComparison.Ordinal);
                if (separator >= 0 && separator + 2 < rest.Length)
                {
                    calls.Add(Call(rest[(separator + 2)..]));
                }
            }

            request = new HookRequest(agent!.Value, toolName, calls);
            problem = string.Empty;
            return true;
        }
    }

    /// <summary>Writes the answer to a decision in the agent's protocol.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="decision">The strictest decision of the request's calls.</param>
    /// <param name="toolName">The agent's tool name.</param>
    /// <param name="deferAllow">Whether to leave an allowed call to the agent's own permission rules instead of approving it.</param>
    /// <param name="output">Standard output.</param>
    public static void WriteAnswer(HookAgent agent, HookDecision decision, string toolName, bool deferAllow, TextWriter output)
    {
        var verdict = decision.Verdict;
        if (verdict == Verdict.Allow && deferAllow)
        {
            return; // no decision: the agent's own permission rules and prompts apply
        }

        var reason = Reason(decision, toolName);
        Write(output, json =>
        {
            if (agent == HookAgent.Claude)
            {
                json.WriteStartObject("hookSpecificOutput");
                json.WriteString("hookEventName", "PreToolUse");
                json.WriteString("permissionDecision", verdict switch
                {
                    Verdict.Allow => "allow",
                    Verdict.Escalate => "ask",
                    _ => "deny",
                });
                json.WriteString("permissionDecisionReason", reason);
                json.WriteEndObject();
            }
            else
            {
                // Gemini CLI has no "ask": an escalation nobody can approve here is a deny, with the reason saying so.
                json.WriteString("decision", verdict == Verdict.Allow ? "allow" : "deny");
                json.WriteString("reason", reason);
            }
        });
    }

    /// <summary>Writes a deny for a failure of the guard itself (in the agent's protocol, when known); the caller exits with 2.</summary>
    /// <param name="agent">The agent, when known.</param>
    /// <param name="reason">Why the call is blocked.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error: the reason both agents show when the exit code is 2.</param>
    public static void WriteFailure(HookAgent? agent, string reason, TextWriter output, TextWriter error)
    {
        var text = "Guardrails blocked this tool call because the guard could not decide it (fail-closed): " + reason;
        error.WriteLine(text);
        if (agent is null)
        {
            return;
        }

        Write(output, json =>
        {
            if (agent == HookAgent.Claude)
            {
                json.WriteStartObject("hookSpecificOutput");
                json.WriteString("hookEventName", "PreToolUse");
                json.WriteString("permissionDecision", "deny");
                json.WriteString("permissionDecisionReason", text);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("decision", "deny");
                json.WriteString("reason", text);
            }
        });
    }

    /// <summary>Builds the reason text: what the model (deny) or the user (ask) reads.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="toolName">The agent's tool name.</param>
    /// <returns>The reason.</returns>
    public static string Reason(HookDecision decision, string toolName)
    {
        var builder = new StringBuilder("Guardrails ");
        builder.Append(decision.Verdict switch
        {
            Verdict.Allow => "allowed",
            Verdict.Escalate => "requires a human's approval for",
            _ => "denied",
        }).Append(" this ").Append(toolName).Append(" call");
        if (decision.Reasons.Count > 0)
        {
            builder.Append(": ").Append(string.Join("; ", decision.Reasons));
        }

        if (decision.Rules.Count > 0)
        {
            builder.Append(" [rules: ").Append(string.Join(", ", decision.Rules)).Append(']');
        }

        if (decision.Shadow is { } shadow && shadow != Verdict.Allow)
        {
            builder.Append(" (audit mode: an enforcing policy would ").Append(Names.Of(shadow)).Append(')');
        }

        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $" (score {decision.Score}, policy {decision.Policy})");
        if (decision.Verdict == Verdict.Deny)
        {
            builder.Append(". Do not try to achieve the same effect another way; if the task needs it, ask the user.");
        }

        return builder.ToString();
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonLinesWriter.CompactOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
    }
}
