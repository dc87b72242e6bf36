using Guardrails.Actions;
using Guardrails.Shell.Programs;

namespace Guardrails.Tests.Shell.Programs;

public sealed class InterpretersTests
{
    [Theory]
    [InlineData("bash -c 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("sh -c 'cp -r /models/q /tmp/q'", "sh -c")]
    [InlineData("bash -lc 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("bash -xc 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("bash -ec 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("bash -l -c 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("bash -o pipefail -c 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("bash +O extglob -c 'cp -r /models/q /tmp/q'", "bash -c")]
    [InlineData("zsh -c 'cp -r /models/q /tmp/q' arg0 arg1", "zsh -c")]
    [InlineData("/bin/dash -c 'cp -r /models/q /tmp/q'", "dash -c")]
    [InlineData("bash --norc --noprofile -c 'cp -r /models/q /tmp/q'", "bash -c")]
    public void Analyze_ShellDashC_HandsTheCodeToTheHost(string command, string via)
    {
        var host = Cmd.Run(command);

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("cp -r /models/q /tmp/q");
        call.Via.Should().Be(via);
        call.Span.Should().Be(Cmd.SpanOf(command, "'cp -r /models/q /tmp/q'"));
        host.Single<ProcessLaunch>().Script.Should().BeNull();
    }

    [Theory]
    [InlineData("bash start.sh", "/home/agent/start.sh")]
    [InlineData("sh /opt/a/run.sh --port 8001", "/opt/a/run.sh")]
    [InlineData("bash -x ./deploy.sh", "/home/agent/deploy.sh")]
    [InlineData("zsh -- script.zsh", "/home/agent/script.zsh")]
    public void Analyze_ShellScript_LaunchesWithScript(string command, string script)
    {
        var host = Cmd.Run(command);

        host.Single<ProcessLaunch>().Script.Should().Be(script);
        host.ShellCalls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("bash -s")]
    [InlineData("sh -s -- arg")]
    public void Analyze_ShellReadingKnownStdin_AnalysesTheText(string command)
    {
        var host = Cmd.Run(command, stdinText: "vllm serve /models/q\n");

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("vllm serve /models/q\n");
        call.Invocation.StdinText.Should().BeNull();
    }

    [Fact]
    public void Analyze_ShellReadingUnknownPipe_IsOpaque()
    {
        var host = Cmd.Run("sh", stdinFromPipe: true);

        host.Single<OpaqueCode>().Should().BeEquivalentTo(new { Language = "shell", Reason = "runs a script read from a pipe whose content is not known" });
    }

    [Fact]
    public void Analyze_ShellReadingStdinFile_UsesItAsTheScript()
    {
        Cmd.Run("bash", stdinFile: "/tmp/x.sh").Single<ProcessLaunch>().Script.Should().Be("/tmp/x.sh");
    }

    [Theory]
    [InlineData("python3 -c 'import os'", "import os", "python3 -c")]
    [InlineData("python -Bc 'import os'", "import os", "python -c")]
    [InlineData("python3 -uc 'import os'", "import os", "python3 -c")]
    [InlineData("python3 -I -c 'import os'", "import os", "python3 -c")]
    [InlineData("python3.11 -c 'import os'", "import os", "python3.11 -c")]
    [InlineData("/usr/bin/python3 -W ignore -c 'import os' arg", "import os", "python3 -c")]
    public void Analyze_PythonDashC_HandsTheCodeToThePythonAnalyzer(string command, string code, string via)
    {
        var host = Cmd.Run(command);

        var call = host.PythonCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be(code);
        call.Via.Should().Be(via);
        host.Single<ProcessLaunch>().Module.Should().BeNull();
    }

    [Theory]
    [InlineData("python -m vllm.entrypoints.openai.api_server --model /models/q --port 8001", "vllm.entrypoints.openai.api_server")]
    [InlineData("python3 -um http.server 9000", "http.server")]
    [InlineData("python3 -mhttp.server", "http.server")]
    [InlineData("pypy3 -O -m pip install x", "pip")]
    public void Analyze_PythonDashM_LaunchesTheModule(string command, string module)
    {
        var launch = Cmd.Run(command).Single<ProcessLaunch>();

        launch.Module.Should().Be(module);
        launch.Script.Should().BeNull();
    }

    [Theory]
    [InlineData("python3 agent.py --port 8001", "/home/agent/agent.py")]
    [InlineData("python3 -u /opt/a/agent.py", "/opt/a/agent.py")]
    [InlineData("python ../copy/agent.py", "/home/copy/agent.py")]
    public void Analyze_PythonScript_LaunchesWithScript(string command, string script)
    {
        Cmd.Run(command).Single<ProcessLaunch>().Script.Should().Be(script);
    }

    [Theory]
    [InlineData("python3 -")]
    [InlineData("python3")]
    public void Analyze_PythonWithStdinText_AnalysesIt(string command)
    {
        var host = Cmd.Run(command, stdinText: "import shutil\nshutil.copytree('/models/q', '/tmp/q')\n");

        host.PythonCalls.Should().ContainSingle().Which.Code.Should().StartWith("import shutil");
    }

    [Fact]
    public void Analyze_PythonFromUnknownPipe_IsOpaque()
    {
        Cmd.Run("python3 -", stdinFromPipe: true).Single<OpaqueCode>().Language.Should().Be("python");
    }

    [Theory]
    [InlineData("perl -e 'system(\"cp -r /models/q /tmp/q\")'", "perl -e")]
    [InlineData("perl -e 'system \"cp -r /models/q /tmp/q\";'", "perl -e")]
    [InlineData("ruby -e 'system(\"cp -r /models/q /tmp/q\")'", "ruby -e")]
    [InlineData("ruby -e '`cp -r /models/q /tmp/q`'", "ruby -e")]
    [InlineData("php -r 'shell_exec(\"cp -r /models/q /tmp/q\");'", "php -r")]
    [InlineData("node -e 'require(\"child_process\").execSync(\"cp -r /models/q /tmp/q\")'", "node -e")]
    [InlineData("lua -e 'os.execute(\"cp -r /models/q /tmp/q\")'", "lua -e")]
    public void Analyze_InlineLiteralSystemCall_IsAnalysedAsShell(string command, string via)
    {
        var host = Cmd.Run(command);

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("cp -r /models/q /tmp/q");
        call.Via.Should().Be(via);
        host.Of<OpaqueCode>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("ruby -e 'puts 1'", "ruby")]
    [InlineData("node -e 'console.log(1)'", "javascript")]
    [InlineData("node --eval 'x()'", "javascript")]
    [InlineData("php -r 'eval($_GET[1]);'", "php")]
    [InlineData("deno eval 'Deno.run({cmd:[\"sh\"]})'", "javascript")]
    [InlineData("bun -e 'Bun.spawn([\"sh\"])'", "javascript")]
    public void Analyze_InlineForeignCode_IsOpaque(string command, string language)
    {
        var host = Cmd.Run(command);

        host.Single<OpaqueCode>().Should().BeEquivalentTo(new { Language = language, Reason = $"inline {language} code is not analysed" });
        host.ShellCalls.Should().BeEmpty();
    }

    [Fact]
    public void Analyze_PerlInPlaceEdit_WritesTheFiles()
    {
        var host = Cmd.Run("perl -pi -e 's/a/b/' /etc/guard/policy.json");

        host.Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Write, Path = "/etc/guard/policy.json" });
    }

    [Theory]
    [InlineData("node server.js", "/home/agent/server.js")]
    [InlineData("node --max-old-space-size=4096 /opt/a/index.mjs", "/opt/a/index.mjs")]
    [InlineData("deno run -A --allow-net=x.com serve.ts", "/home/agent/serve.ts")]
    [InlineData("bun run index.ts", "/home/agent/index.ts")]
    [InlineData("bun index.ts", "/home/agent/index.ts")]
    [InlineData("ruby -I lib agent.rb", "/home/agent/agent.rb")]
    [InlineData("perl -w /opt/a/x.pl", "/opt/a/x.pl")]
    [InlineData("php -f index.php", "/home/agent/index.php")]
    [InlineData("lua script.lua", "/home/agent/script.lua")]
    [InlineData("node18 app.js", "/home/agent/app.js")]
    public void Analyze_InterpreterScripts_LaunchWithScript(string command, string script)
    {
        Cmd.Run(command).Single<ProcessLaunch>().Script.Should().Be(script);
    }

    [Fact]
    public void Analyze_BunRunPackageScript_HasNoScriptPath()
    {
        Cmd.Run("bun run dev").Single<ProcessLaunch>().Script.Should().BeNull();
    }

    [Fact]
    public void Analyze_PhpBuiltInServer_Listens()
    {
        Cmd.Run("php -S 0.0.0.0:8080 -t public").Single<NetworkListen>().Port.Should().Be(8080);
    }

    [Theory]
    [InlineData("awk 'BEGIN { system(\"cp -r /models/q /tmp/q\") }'", "cp -r /models/q /tmp/q")]
    [InlineData("gawk 'BEGIN { while ((\"ls /models\" | getline f) > 0) print f }'", "ls /models")]
    [InlineData("awk '{ print $0 | \"sort -u\" }' f", "sort -u")]
    public void Analyze_AwkLiteralCommands_AreAnalysedAsShell(string command, string code)
    {
        var host = Cmd.Run(command);

        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be(code);
        host.Of<OpaqueCode>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("awk '{ system($0) }'")]
    [InlineData("awk '{ cmd = \"cp \" $1 \" /tmp\"; system(cmd) }'")]
    [InlineData("awk '{ print | \"sh\" }'")]
    [InlineData("awk '{ (\"ls \" $1) | getline x }'")]
    public void Analyze_AwkBuiltCommands_AreOpaque(string command)
    {
        Cmd.Run(command).Single<OpaqueCode>().Language.Should().Be("awk");
    }

    [Theory]
    [InlineData("awk '{print $1}' f")]
    [InlineData("awk -F: '/a|b/ { n++ } END { print n }' /etc/passwd")]
    [InlineData("awk -f prog.awk data")]
    [InlineData("awk '$3 > 1 || $4 < 2 { print $1 / 2 }' f")]
    public void Analyze_OrdinaryAwk_EmitsOnlyTheLaunch(string command)
    {
        Cmd.Run(command).Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>();
    }

    [Theory]
    [InlineData("uv run -m vllm.entrypoints.openai.api_server", null, "vllm.entrypoints.openai.api_server")]
    [InlineData("uv run --with vllm serve.py", "/home/agent/serve.py", null)]
    [InlineData("torchrun --nproc-per-node 8 train.py", "/home/agent/train.py", null)]
    [InlineData("torchrun --standalone -m vllm.entrypoints.api_server", null, "vllm.entrypoints.api_server")]
    [InlineData("accelerate launch --num_processes 2 serve.py", "/home/agent/serve.py", null)]
    [InlineData("deepspeed --num_gpus 4 infer.py", "/home/agent/infer.py", null)]
    public void Analyze_Launchers_LaunchWithScriptOrModule(string command, string? script, string? module)
    {
        var launch = Cmd.Run(command).Single<ProcessLaunch>();

        launch.Script.Should().Be(script);
        launch.Module.Should().Be(module);
    }

    [Theory]
    [InlineData("uv run python agent.py", "uv run")]
    [InlineData("poetry run python agent.py", "poetry run")]
    [InlineData("pipenv run python agent.py", "pipenv run")]
    [InlineData("conda run -n ml --no-capture-output python agent.py", "conda run")]
    [InlineData("uvx python agent.py", "uvx")]
    public void Analyze_EnvironmentRunners_UnwrapIntoTheInnerCommand(string command, string via)
    {
        var launch = Cmd.Run(command).Single<ProcessLaunch>();

        launch.Program.Should().Be("python");
        launch.Script.Should().Be("/home/agent/agent.py");
        launch.Via.Should().Be(via);
    }

    [Theory]
    [InlineData("npx -y vllm-proxy --port 8001", "vllm-proxy")]
    [InlineData("pipx run vllm serve /m", "vllm")]
    [InlineData("npm exec -- serve -l 8000", "serve")]
    [InlineData("uvx --from vllm vllm serve /m", "vllm")]
    public void Analyze_PackageRunners_UnwrapIntoTheTool(string command, string program)
    {
        Cmd.Run(command).Single<ProcessLaunch>().Program.Should().Be(program);
    }

    [Theory]
    [InlineData("pwsh -Command 'Start-Process x'")]
    [InlineData("powershell -enc SQBFAFgA")]
    public void Analyze_PowerShellInline_IsOpaque(string command)
    {
        Cmd.Run(command).Single<OpaqueCode>().Language.Should().Be("powershell");
    }

    [Theory]
    [InlineData("system('id')", "perl", "id")]
    [InlineData("exec \"id\"", "perl", "id")]
    [InlineData("system(\"id $x\")", "perl", null)]
    [InlineData("system(\"a\", \"b\")", "perl", null)]
    [InlineData("systemd()", "perl", null)]
    [InlineData("system(\"#{x}\")", "ruby", null)]
    [InlineData("system 'id'", "php", null)]
    [InlineData("`id`", "ruby", "id")]
    [InlineData("`id`", "javascript", null)]
    [InlineData("os.execute('id')", "lua", "id")]
    public void LiteralShellCommand_Snippets_AreConservative(string code, string language, string? command)
    {
        InlineCode.LiteralShellCommand(language, code).Should().Be(command);
    }
}
