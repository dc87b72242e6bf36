using Guardrails.Cli.Hooks;
using Guardrails.Policies;

namespace Guardrails.Cli.Commands;

/// <summary>
/// <c>guardrails hook</c>: the command coding agents run before each tool use. Reads the agent's pre-tool-use hook JSON
/// on standard input and answers in that agent's protocol (Claude Code <c>PreToolUse</c>, Gemini CLI <c>BeforeTool</c>).
/// </summary>
/// <remarks>
/// Fail-closed: a bad command line, an unreadable input, a policy that cannot be loaded, or any exception ends with a
/// deny, the reason on standard error, and exit code 2 — the only exit code both agents treat as blocking. Every other
/// exit path is 0 with the answer on standard output.
/// </remarks>
internal static class HookCommand
{
    /// <summary>The environment variable that names the policy when <c>--policy</c> is not given.</summary>
    public const string PolicyVariable = "GUARDRAILS_POLICY";

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        $$$"""
        Usage: {{{CliApp.CommandName}}} hook [--agent claude|gemini] [--policy FILE|builtin:NAME | --server URL] [--defer-allow]

        Decides a coding agent's tool call before it runs. Reads the agent's pre-tool-use hook input on
        standard input and answers on standard output in its protocol:

          Claude Code (hook_event_name "PreToolUse"):
            {"hookSpecificOutput": {"hookEventName": "PreToolUse",
              "permissionDecision": "allow"|"ask"|"deny", "permissionDecisionReason": "..."}}
          Gemini CLI (hook_event_name "BeforeTool"):
            {"decision": "allow"|"deny", "reason": "..."}

        allow, escalate and deny map to allow, ask and deny (Gemini CLI has no ask: escalate is deny).
        Tool names map to the built-in bindings (Bash, Write, Edit, MultiEdit, Read, WebFetch,
        run_shell_command, write_file, ...); an MCP tool mcp__SERVER__TOOL is decided both under its full
        name and as TOOL, and the stricter decision answers. The call carries the hook's cwd and session.

        Fail-closed: if the input cannot be read, the policy cannot be loaded, or anything fails, the
        answer is deny with the reason on standard error and exit code 2, which both agents treat as
        "block" (any other non-zero exit would let the tool run). See docs/coding-agents.md.

        Options:
          --agent claude|gemini       The protocol when the input has no hook_event_name.
          --policy FILE|builtin:NAME  The policy (default: ${{{PolicyVariable}}}, else builtin:default).
          --server URL                Ask a running 'guardrails serve' at URL instead of loading a policy, so
                                      that the calls of one agent session share a history (sequence rules,
                                      scripts written in one call and run in another). If the service does
                                      not answer within 10 seconds, the call is blocked.
          --defer-allow               When the call is allowed, give no decision, so that the agent's own
                                      permission rules and prompts still apply (an explicit "allow" skips
                                      the agent's permission prompt).
          -h, --help                  Show this help.

        Exit codes: 0 answered (allow, ask or deny on standard output); 2 blocked because the guard failed.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>hook</c>.</param>
    /// <param name="console">The console.</param>
    /// <returns>0 with an answer, or 2 (block) when anything failed.</returns>
    public static int Run(ReadOnlySpan<string> args, CliConsole console)
    {
        HookAgent? agent = null;
        try
        {
            if (!CommandLine.TryParse(args, ["--agent", "--policy", "--server"], ["--defer-allow"], out var commandLine, out var problem))
            {
                return Block(null, $"invalid hook command line: {problem}", console);
            }

            if (commandLine.HelpRequested)
            {
                console.Out.WriteLine(Usage);
                return ExitCodes.Success;
            }

            if (commandLine.Positionals.Count > 0)
            {
                return Block(null, $"invalid hook command line: unexpected argument '{commandLine.Positionals[0]}'", console);
            }

            switch (commandLine.Value("--agent"))
            {
                case null:
                    break;
                case "claude" or "claude-code":
                    agent = HookAgent.Claude;
                    break;
                case "gemini" or "gemini-cli":
                    agent = HookAgent.Gemini;
                    break;
                case var other:
                    return Block(null, $"invalid hook command line: unknown agent '{other}'; expected claude or gemini", console);
            }

            Uri? server = null;
            if (commandLine.Value("--server") is { } serverText)
            {
                if (commandLine.Value("--policy") is not null)
                {
                    return Block(null, "invalid hook command line: give --policy or --server, not both (the service has its own policy)", console);
                }

                if (!Uri.TryCreate(serverText.EndsWith('/') ? serverText : serverText + "/", UriKind.Absolute, out server) || server.Scheme is not ("http" or "https"))
                {
                    return Block(null, $"invalid hook command line: '{serverText}' is not an http(s) URL", console);
                }
            }

            byte[] input;
            using (var stream = console.OpenInput())
            {
                input = ReadBounded(stream, out var tooLarge);
                if (tooLarge)
                {
                    return Block(agent, $"the hook input is larger than {HookProtocol.MaxInputBytes / (1024 * 1024)} MiB", console);
                }
            }

            if (!HookProtocol.TryParse(input, agent, out var request, out agent, out var inputProblem))
            {
                return Block(agent, inputProblem, console);
            }

            IReadOnlyList<HookDecision> decisions;
            if (server is not null)
            {
                try
                {
                    decisions = RemoteDecider.Decide(server, request.Calls);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
                {
                    return Block(agent, RemoteDecider.Describe(server, ex), console);
                }
            }
            else
            {
                var policyName = commandLine.Value("--policy")
                    ?? (Environment.GetEnvironmentVariable(PolicyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : GuardFactory.DefaultPolicy);
                if (!GuardPolicy.TryLoad(policyName, out var policy, out var diagnostics))
                {
                    var errors = diagnostics.Where(d => d.Severity == PolicyDiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
                    return Block(agent, $"policy '{policyName}' could not be loaded: {(errors.Count == 0 ? "unknown error" : string.Join("; ", errors))}", console);
                }

                var guard = new Guard(policy);
                decisions = [.. request.Calls.Select(call => HookDecision.From(guard.Evaluate(call)))];
            }

            HookDecision? strictest = null;
            foreach (var decision in decisions)
            {
                if (strictest is null || decision.Verdict > strictest.Verdict || (decision.Verdict == strictest.Verdict && decision.Score > strictest.Score))
                {
                    strictest = decision;
                }
            }

            HookProtocol.WriteAnswer(request.Agent, strictest!, request.ToolName, commandLine.Flag("--defer-allow"), console.Out);
            return ExitCodes.Success;
        }
#pragma warning disable CA1031 // Fail closed: whatever happens, the tool call is blocked with exit code 2.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Block(agent, $"internal error: {ex.GetType().Name}: {ex.Message}", console);
        }
    }

    private static int Block(HookAgent? agent, string reason, CliConsole console)
    {
        try
        {
            HookProtocol.WriteFailure(agent, reason, console.Out, console.Error);
        }
#pragma warning disable CA1031 // Even when nothing can be written, the exit code still blocks.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return ExitCodes.HookBlock;
    }

    private static byte[] ReadBounded(Stream stream, out bool tooLarge)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var read = stream.Read(chunk, 0, chunk.Length);
            if (read == 0)
            {
                break;
            }

            if (buffer.Length + read > HookProtocol.MaxInputBytes)
            {
                tooLarge = true;
                return [];
            }

            buffer.Write(chunk, 0, read);
        }

        tooLarge = false;
        return buffer.ToArray();
    }
}
