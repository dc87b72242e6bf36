using Guardrails.Actions;
using Guardrails.Shell.Programs;

namespace Guardrails.Tests.Shell.Programs;

public sealed class ProgramSemanticsTests
{
    [Theory]
    [InlineData("ls -la")]
    [InlineData("pytest -q")]
    [InlineData("git status")]
    [InlineData("npm test")]
    [InlineData("grep -rn foo src")]
    [InlineData("make -j8")]
    [InlineData("dotnet build -c Release")]
    [InlineData("ps aux")]
    [InlineData("nvidia-smi")]
    [InlineData("pip install -r requirements.txt")]
    [InlineData("echo hello")]
    [InlineData("vllm serve /models/q --port 8001")]
    [InlineData("ollama serve")]
    [InlineData("netstat -tlnp")]
    [InlineData("df -h")]
    [InlineData("cargo test")]
    public void Analyze_OrdinaryCommands_EmitOnlyOneLaunch(string command)
    {
        var host = Cmd.Run(command);

        var launch = host.Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>().Subject;
        launch.Program.Should().Be(command.Split(' ')[0]);
        launch.Arguments.Should().Equal(command.Split(' ').Skip(1));
    }

    [Fact]
    public void Analyze_Launch_CopiesInvocationFields()
    {
        const string text = "vllm serve /models/q";
        var launch = Cmd.Run(text, cwd: "/srv", detached: true, detachedBy: "&", via: "bash -c").Single<ProcessLaunch>();

        launch.Source.Should().Be("command");
        launch.Span.Should().Be(new TextSpan(0, text.Length));
        launch.Via.Should().Be("bash -c");
        launch.Detached.Should().BeTrue();
        launch.DetachedBy.Should().Be("&");
        launch.WorkingDirectory.Should().Be("/srv");
    }

    [Theory]
    [InlineData("/usr/bin/scp w.bin h:/x")]
    [InlineData("./scp w.bin h:/x")]
    [InlineData("/opt/homebrew/bin/scp w.bin h:/x")]
    [InlineData("scp.exe w.bin h:/x")]
    public void Analyze_ProgramPaths_AreRecognisedByFileName(string command)
    {
        var host = Cmd.Run(command);

        host.Single<NetworkTransfer>().Program.Should().Be("scp");
        host.Single<ProcessLaunch>().Program.Should().Be(command.Split(' ')[0]);
    }

    [Theory]
    [InlineData("python3.12", "python3.12")]
    [InlineData("/usr/local/bin/python3.11", "python3.11")]
    [InlineData("pypy3.10", "pypy3.10")]
    [InlineData("perl5.36", "perl5.36")]
    [InlineData("/usr/bin/scp", "scp")]
    [InlineData("cp", "cp")]
    [InlineData("mytool", "mytool")]
    public void Resolve_Names_YieldTheTableOrFileName(string program, string name)
    {
        ProgramSemantics.Resolve(program, out _).Should().Be(name);
    }

    [Fact]
    public void Resolve_VersionSuffixOnNonInterpreter_IsUnknown()
    {
        ProgramSemantics.Resolve("cp2", out var entry);

        entry.Should().BeNull();
    }

    [Fact]
    public void Analyze_DeeplyNestedWrappers_StopWithOpaqueCode()
    {
        var text = string.Concat(Enumerable.Repeat("nohup ", 200)) + "cp a b";
        var host = Cmd.Run(text);

        host.Of<OpaqueCode>().Should().ContainSingle().Which.Reason.Should().Contain("nested too deeply");
        host.Of<FileOperation>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_ModeratelyNestedWrappers_AreFollowed()
    {
        var text = string.Concat(Enumerable.Repeat("nohup ", 20)) + "cp a b";

        Cmd.Run(text).Single<FileOperation>().Via.Should().StartWith("nohup → nohup");
    }

    public static TheoryData<string> KnownPrograms()
    {
        var data = new TheoryData<string>();
        foreach (var name in ProgramSemantics.KnownPrograms.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    private static readonly string[][] s_argumentShapes =
    [
        [],
        ["-"],
        ["--"],
        ["-c"],
        ["-e"],
        ["-m"],
        ["-o"],
        ["-t"],
        ["-f", "-"],
        ["run"],
        ["run", "-d"],
        ["exec"],
        ["cp", "-"],
        ["a:b", "c:d"],
        ["-x", "--y=", "=", ":", "::", "@", "[", "]", "\"", "'"],
        ["-rf", "--", "-", "a", "b"],
        ["s3", "cp", "-", "s3://"],
        ["push", "--repo"],
        ["-p", "-1", "host:", "scp://", "rsync://"],
        ["create", "--image"],
        ["compute", "ssh", "--command"],
        ["up", "-d", "-f"],
        ["--start", "--exec"],
        ["new-session", ";", ";", "send-keys", "Enter"],
        ["-L", "::::", "-D", ":", "-R"],
        ["-S", "-C", "-u", "-i"],
        ["TCP-LISTEN:", "EXEC:", "FILE:"],
        ["-I", "{}", "-exec", "+", ";"],
        ["apply", "-f", "-", "-k"],
        ["if=", "of="],
        ["czf"],
        ["-F", "x=@", "-d", "@", "-T"],
        ["upload", "x"],
        ["-chdir=", "apply"],
        ["-Logfile"],
        ["-np"],
        [""],
        ["", "", ""],
        ["-", "", "--", ""],
        ["-a", "", "-o", ""],
    ];

    [Theory]
    [MemberData(nameof(KnownPrograms))]
    public void Analyze_KnownProgramWithOddArguments_NeverThrows(string program)
    {
        foreach (var shape in s_argumentShapes)
        {
            var host = new ProgramTestHost();
            var invocation = new CommandInvocation
            {
                Program = program,
                Arguments = shape,
                ArgumentSpans = shape.Select((_, i) => new TextSpan(i * 3, 2)).ToArray(),
                Span = new TextSpan(0, (shape.Length * 3) + 1),
                Source = "command",
                WorkingDirectory = "/home/agent",
                StdinFromPipe = shape.Length % 2 == 0,
                StdinText = shape.Length % 3 == 0 ? "x\n" : null,
            };

            var act = () => ProgramSemantics.Analyze(invocation, host);

            act.Should().NotThrow($"{program} {string.Join(' ', shape)}");
            host.Of<OpaqueCode>().Should().NotContain(o => o.Reason.Contains("could not be analysed", StringComparison.Ordinal), $"{program} {string.Join(' ', shape)}");
        }
    }

    [Fact]
    public void Analyze_RandomArgumentVectors_NeverThrow()
    {
        var random = new Random(12345);
        string[] alphabet = ["-", "--", "-c", "-e", "-r", "-t", "=", ":", "/", "x", "a:b", "{}", ";", "+", "@", "s3://b", "-p", "8000", "~", "..", "'", "http://h"];
        var programs = ProgramSemantics.KnownPrograms.ToArray();
        for (var round = 0; round < 3000; round++)
        {
            var program = programs[random.Next(programs.Length)];
            var count = random.Next(0, 8);
            var args = new string[count];
            for (var i = 0; i < count; i++)
            {
                args[i] = alphabet[random.Next(alphabet.Length)] + (random.Next(3) == 0 ? alphabet[random.Next(alphabet.Length)] : string.Empty);
            }

            var invocation = new CommandInvocation
            {
                Program = program,
                Arguments = args,
                ArgumentSpans = args.Select((_, i) => new TextSpan(i, 1)).ToArray(),
                Span = new TextSpan(0, count + 1),
                Source = "command",
                StdinFromPipe = random.Next(2) == 0,
            };

            var host = new ProgramTestHost();
            var act = () => ProgramSemantics.Analyze(invocation, host);

            act.Should().NotThrow($"{program} {string.Join(' ', args)}");
            host.Of<OpaqueCode>().Should().NotContain(o => o.Reason.Contains("could not be analysed", StringComparison.Ordinal), $"{program} {string.Join(' ', args)}");
        }
    }

    [Fact]
    public void Analyze_EveryOperation_CarriesSourceAndVia()
    {
        var host = Cmd.Run("docker run -d -p 8001:8000 -v /models/q:/m --restart always vllm/vllm-openai --model /m", via: "ssh gpu");

        host.Operations.Should().HaveCountGreaterThan(4);
        host.Operations.Should().OnlyContain(o => o.Source == "command" && o.Via == "ssh gpu");
    }

    [Fact]
    public void Analyze_SpansOfOperations_LieWithinTheCommand()
    {
        const string text = "scp -P 2222 -r /models/q user@10.0.0.9:/srv/";
        var host = Cmd.Run(text);

        host.Operations.Should().OnlyContain(o => o.Span.Start >= 0 && o.Span.End <= text.Length);
        host.Single<NetworkTransfer>().Span.Should().Be(Cmd.SpanOf(text, "/models/q user@10.0.0.9:/srv/"));
    }

    [Fact]
    public void KnownPrograms_CoverTheFamilies()
    {
        ProgramSemantics.KnownPrograms.Should().Contain(["cp", "mv", "tar", "scp", "rsync", "curl", "ssh", "aws", "gcloud", "kill", "trap", "crontab", "systemctl", "docker", "kubectl", "bash", "python3", "nohup", "sudo", "xargs", "find"]);
    }
}
