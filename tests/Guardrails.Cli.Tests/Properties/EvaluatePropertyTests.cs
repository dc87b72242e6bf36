using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Guardrails.Tests.Properties;
using Xunit.Abstractions;

namespace Guardrails.Cli.Tests.Properties;

/// <summary>
/// Properties of <c>guardrails evaluate</c> (the JSON Lines contract) on random and mutated input: every input line
/// gets exactly one answer, in order; each answer is one JSON object with a decision; a line that is not a valid tool
/// call is denied; the exit code is 0; the same input gives the same output. The input is seeded (the seed is printed;
/// <c>GUARDRAILS_PROPERTY_SEED</c> changes it).
/// </summary>
public sealed class EvaluatePropertyTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_251_126;

    private static readonly string[] Lines =
    [
        """{"id": "a", "tool": "bash", "arguments": {"command": "ls -la"}}""",
        """{"id": 7, "session": "s1", "tool": "bash", "arguments": {"command": "cp -r /models/qwen /tmp/q"}, "cwd": "/home/agent"}""",
        """{"id": "c", "session": "s1", "tool": "bash", "arguments": {"command": "cd /tmp/q && python3 -m vllm.entrypoints.openai.api_server --port 8001"}}""",
        """{"id": "d", "tool": "write_file", "arguments": {"path": "/etc/cron.d/x", "content": "@reboot root /opt/agent/run"}}""",
        """{"id": "e", "tool": "execute_python", "arguments": "{\"code\": \"import os; os.system('nohup vllm serve /models &')\"}"}""",
        """{"id": "f", "tool": "http_request", "arguments": {"url": "https://upload.example/", "method": "PUT", "body": "x"}}""",
        """{"id": "g", "tool": "start_process", "agent": "agent-1", "arguments": {"program": "vllm", "args": ["serve", "/models/qwen"]}}""",
        """{"id": "h", "tool": "Edit", "arguments": {"file_path": "/home/agent/.bashrc", "old_string": "x", "new_string": "nohup /opt/agent/run &"}}""",
        """{"id": "i", "tool": "mcp__fs__read", "arguments": {"path": "/home/agent/.ssh/id_rsa"}}""",
    ];

    [Fact]
    public void RandomAndMutatedLines_EachGetExactlyOneAnswer_MalformedOnesAreDenied_AndRunsAreDeterministic()
    {
        var seed = (int.TryParse(Environment.GetEnvironmentVariable("GUARDRAILS_PROPERTY_SEED"), out var fromEnvironment) ? fromEnvironment : DefaultSeed) + 17;
        output.WriteLine($"seed {seed} (set GUARDRAILS_PROPERTY_SEED to explore others)");
        var random = new Random(seed);
        var failures = new List<string>();
        var malformed = 0;
        for (var batch = 0; batch < 8; batch++)
        {
            var lines = Enumerable.Range(0, 40).Select(_ => NextLine(random)).ToList();
            var input = string.Join("\n", lines) + (random.Next(2) == 0 ? "\n" : string.Empty);
            var first = CliRunner.Run(input, "evaluate", "--cwd", "/home/agent");
            var second = CliRunner.Run(input, "evaluate", "--cwd", "/home/agent");
            var label = $"seed {seed} batch {batch}";
            if (first.ExitCode != ExitCodes.Success)
            {
                failures.Add($"{label}: exit code {first.ExitCode}: {first.Stderr}");
            }

            if (first.Stdout != second.Stdout)
            {
                failures.Add($"{label}: two runs of the same input answered differently");
            }

            var answers = first.Lines;
            if (answers.Count != lines.Count)
            {
                failures.Add($"{label}: {lines.Count} lines in, {answers.Count} answers out");
                continue;
            }

            for (var i = 0; i < lines.Count; i++)
            {
                var problem = CheckAnswer(lines[i], answers[i], out var wasMalformed);
                malformed += wasMalformed ? 1 : 0;
                if (problem is not null)
                {
                    failures.Add($"{label} line {i}: {problem}\n    in:  {Shorten(lines[i])}\n    out: {Shorten(answers[i])}");
                }
            }
        }

        output.WriteLine($"320 lines, {malformed} malformed");
        foreach (var failure in failures.Take(20))
        {
            output.WriteLine(failure);
        }

        malformed.Should().BeInRange(30, 290, "the generator must produce both valid and malformed lines");
        failures.Should().BeEmpty($"every property must hold (seed {seed}); the first failures:\n{string.Join("\n", failures.Take(3))}");
    }

    /// <summary>Returns what is wrong with <paramref name="answer"/> to <paramref name="line"/>, or null.</summary>
    private static string? CheckAnswer(string line, string answer, out bool malformed)
    {
        malformed = !IsToolCallLine(line);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(answer);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            return "the answer is not JSON: " + exception.Message;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("decision", out var decision)
            || decision.GetString() is not ("allow" or "escalate" or "deny"))
        {
            return "the answer has no decision";
        }

        if (malformed && decision.GetString() != "deny")
        {
            return "a line that is not a tool call was not denied";
        }

        return null;
    }

    // A tool call line: a JSON object with a non-empty string "tool" and "arguments" that is an object or a string
    // holding one. (Stricter checks, such as duplicate keys or invalid Unicode, may reject more lines; those must be
    // denied too, which CheckAnswer does not need to know: it only requires that these are denied.)
    private static bool IsToolCallLine(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("tool", out var tool) || tool.ValueKind != JsonValueKind.String || tool.GetString()!.Length == 0
                || !root.TryGetProperty("arguments", out var arguments))
            {
                return false;
            }

            if (arguments.ValueKind == JsonValueKind.String)
            {
                using var inner = JsonDocument.Parse(arguments.GetString()!);
                return inner.RootElement.ValueKind == JsonValueKind.Object;
            }

            return arguments.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string NextLine(Random random)
    {
        var seed = Lines[random.Next(Lines.Length)];
        switch (random.Next(6))
        {
            case 0:
                return seed;
            case 1:
                return Mutations.RandomText(random, 60).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);
            case 2:
            case 3:
                var node = Mutations.MutateJson(random, JsonNode.Parse(seed), Lines);
                return node?.ToJsonString(new JsonSerializerOptions { MaxDepth = 1024 }) ?? "null";
            default:
                return Mutations.MutateText(random, seed, donors: Lines).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal);
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..299] + "…" : text;
}
