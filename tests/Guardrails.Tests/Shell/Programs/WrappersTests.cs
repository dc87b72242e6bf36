using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

public sealed class WrappersTests
{
    public static TheoryData<string, string, bool, string?> CopyBehindWrapper => new()
    {
        { "nohup cp -r /models/q /tmp/q", "nohup", true, "nohup" },
        { "nohup -- cp -r /models/q /tmp/q", "nohup", true, "nohup" },
        { "setsid cp -r /models/q /tmp/q", "setsid", true, "setsid" },
        { "setsid -f cp -r /models/q /tmp/q", "setsid", true, "setsid" },
        { "sudo cp -r /models/q /tmp/q", "sudo", false, null },
        { "sudo -u root -E cp -r /models/q /tmp/q", "sudo", false, null },
        { "sudo -b cp -r /models/q /tmp/q", "sudo", true, "sudo -b" },
        { "sudo HF_HOME=/x cp -r /models/q /tmp/q", "sudo", false, null },
        { "doas -u root cp -r /models/q /tmp/q", "doas", false, null },
        { "env -i A=1 cp -r /models/q /tmp/q", "env", false, null },
        { "env cp -r /models/q /tmp/q", "env", false, null },
        { "timeout -s KILL 10 cp -r /models/q /tmp/q", "timeout", false, null },
        { "timeout --foreground 5m cp -r /models/q /tmp/q", "timeout", false, null },
        { "nice -n 5 cp -r /models/q /tmp/q", "nice", false, null },
        { "nice -10 cp -r /models/q /tmp/q", "nice", false, null },
        { "nice -n -5 cp -r /models/q /tmp/q", "nice", false, null },
        { "ionice -c3 cp -r /models/q /tmp/q", "ionice", false, null },
        { "ionice -c 2 -n 7 cp -r /models/q /tmp/q", "ionice", false, null },
        { "stdbuf -oL cp -r /models/q /tmp/q", "stdbuf", false, null },
        { "stdbuf -o 0 -e 0 cp -r /models/q /tmp/q", "stdbuf", false, null },
        { "time -p cp -r /models/q /tmp/q", "time", false, null },
        { "chroot /mnt cp -r /models/q /tmp/q", "chroot", false, null },
        { "flock /tmp/lock cp -r /models/q /tmp/q", "flock", false, null },
        { "flock -n -w 5 /tmp/lock cp -r /models/q /tmp/q", "flock", false, null },
        { "caffeinate -i cp -r /models/q /tmp/q", "caffeinate", false, null },
        { "unbuffer cp -r /models/q /tmp/q", "unbuffer", false, null },
        { "catchsegv cp -r /models/q /tmp/q", "catchsegv", false, null },
        { "command cp -r /models/q /tmp/q", "command", false, null },
        { "command -p cp -r /models/q /tmp/q", "command", false, null },
        { "builtin cp -r /models/q /tmp/q", "builtin", false, null },
        { "exec cp -r /models/q /tmp/q", "exec", false, null },
        { "busybox cp -r /models/q /tmp/q", "busybox", false, null },
        { "toybox cp -r /models/q /tmp/q", "toybox", false, null },
        { "sshpass -p secret cp -r /models/q /tmp/q", "sshpass", false, null },
        { "taskset -c 0-3 cp -r /models/q /tmp/q", "taskset", false, null },
        { "numactl --cpunodebind=0 cp -r /models/q /tmp/q", "numactl", false, null },
        { "strace -f -o /tmp/t cp -r /models/q /tmp/q", "strace", false, null },
        { "unshare -r cp -r /models/q /tmp/q", "unshare", false, null },
        { "proxychains4 -q cp -r /models/q /tmp/q", "proxychains4", false, null },
        { "xvfb-run -a cp -r /models/q /tmp/q", "xvfb-run", false, null },
        { "mpirun -np 4 cp -r /models/q /tmp/q", "mpirun", false, null },
        { "/usr/bin/nohup cp -r /models/q /tmp/q", "nohup", true, "nohup" },
    };

    [Theory]
    [MemberData(nameof(CopyBehindWrapper))]
    public void Analyze_Wrapper_RunsTheInnerCommandWithViaAndDetachment(string command, string via, bool detached, string? detachedBy)
    {
        var host = Cmd.Run(command);

        var copy = host.Single<FileOperation>();
        copy.Action.Should().Be(FileAction.Copy);
        copy.Path.Should().Be("/tmp/q");
        copy.Sources.Should().Equal("/models/q");
        copy.Recursive.Should().BeTrue();
        copy.Via.Should().Be(via);
        var launch = host.Single<ProcessLaunch>();
        launch.Program.Should().Be("cp");
        launch.Via.Should().Be(via);
        launch.Detached.Should().Be(detached);
        launch.DetachedBy.Should().Be(detachedBy);
    }

    [Fact]
    public void Analyze_InnerInvocation_HasSlicedArgumentsAndSpans()
    {
        const string text = "nohup vllm serve /models/q --port 8001";
        var host = Cmd.Run(text);

        var inner = host.Inner.Should().ContainSingle().Subject;
        inner.Program.Should().Be("vllm");
        inner.Arguments.Should().Equal("serve", "/models/q", "--port", "8001");
        inner.ArgumentSpans[0].Should().Be(Cmd.SpanOf(text, "serve"));
        inner.ProgramSpan.Should().Be(Cmd.SpanOf(text, "vllm"));
        inner.Span.Should().Be(new TextSpan(6, text.Length - 6));
        inner.Source.Should().Be("command");
        inner.WorkingDirectory.Should().Be(Cmd.Cwd);
    }

    [Fact]
    public void Analyze_NestedWrappers_AccumulateViaAndKeepDetachment()
    {
        var host = Cmd.Run("sudo nohup timeout 5 cp -r /models/q /tmp/q");

        var copy = host.Single<FileOperation>();
        copy.Via.Should().Be("sudo → nohup → timeout");
        var launch = host.Single<ProcessLaunch>();
        launch.Detached.Should().BeTrue();
        launch.DetachedBy.Should().Be("nohup");
        launch.Via.Should().Be("sudo → nohup → timeout");
    }

    [Fact]
    public void Analyze_WrapperOfAlreadyDetachedInvocation_KeepsTheOriginalDetacher()
    {
        var launch = Cmd.Run("nohup vllm serve /m", detached: true, detachedBy: "&").Single<ProcessLaunch>();

        launch.DetachedBy.Should().Be("&");
    }

    [Fact]
    public void Analyze_WrapperWithExistingVia_AppendsToIt()
    {
        Cmd.Run("nohup vllm serve /m", via: "bash -c").Single<ProcessLaunch>().Via.Should().Be("bash -c → nohup");
    }

    [Fact]
    public void Analyze_SudoToShell_RecursesIntoTheShell()
    {
        var host = Cmd.Run("sudo -u agent bash -c 'cp -r /models/q /tmp/q'");

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("cp -r /models/q /tmp/q");
        call.Via.Should().Be("bash -c");
        call.Invocation.Via.Should().Be("sudo");
        host.Single<ProcessLaunch>().Program.Should().Be("bash");
    }

    [Theory]
    [InlineData("sudo -i")]
    [InlineData("sudo -s")]
    public void Analyze_SudoShellWithHereDoc_AnalysesTheText(string command)
    {
        var host = Cmd.Run(command, stdinText: "cp -r /models/q /tmp/q\n");

        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be("cp -r /models/q /tmp/q\n");
        host.Single<ProcessLaunch>().Program.Should().Be("sudo");
    }

    [Fact]
    public void Analyze_SudoAssignments_AreEnvironmentChanges()
    {
        Cmd.Run("sudo LD_PRELOAD=/tmp/x.so ls").Single<EnvironmentChange>().Should().BeEquivalentTo(new { Name = "LD_PRELOAD", Value = "/tmp/x.so" });
    }

    [Fact]
    public void Analyze_SudoEdit_WritesTheFile()
    {
        Cmd.Run("sudo -e /etc/guard/policy.json").Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Write, Path = "/etc/guard/policy.json" });
    }

    [Theory]
    [InlineData("su -c 'cp -r /models/q /tmp/q' root", "su -c")]
    [InlineData("su - root -c 'cp -r /models/q /tmp/q'", "su -c")]
    [InlineData("su root --command='cp -r /models/q /tmp/q'", "su -c")]
    [InlineData("runuser -l agent -c 'cp -r /models/q /tmp/q'", "runuser -c")]
    public void Analyze_SuDashC_AnalysesTheCommand(string command, string via)
    {
        var host = Cmd.Run(command);

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("cp -r /models/q /tmp/q");
        call.Via.Should().Be(via);
        host.Of<ProcessLaunch>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_RunuserDashU_RunsTheCommandDirectly()
    {
        Cmd.Run("runuser -u agent -- cp -r /models/q /tmp/q").Single<FileOperation>().Via.Should().Be("runuser");
    }

    [Fact]
    public void Analyze_EnvAssignmentsAndUnset_AreEnvironmentChanges()
    {
        var host = Cmd.Run("env -u GUARD_ENABLED HF_TOKEN=x CUDA_VISIBLE_DEVICES=1 python3 agent.py");

        host.Of<EnvironmentChange>().Select(e => (e.Name, e.Value)).Should().Equal(("GUARD_ENABLED", null), ("HF_TOKEN", "x"), ("CUDA_VISIBLE_DEVICES", "1"));
        host.Single<ProcessLaunch>().Should().BeEquivalentTo(new { Program = "python3", Via = "env", Script = "/home/agent/agent.py" });
    }

    [Fact]
    public void Analyze_EnvChdir_ChangesTheInnerWorkingDirectory()
    {
        var launch = Cmd.Run("env -C /opt/copy python3 agent.py").Single<ProcessLaunch>();

        launch.WorkingDirectory.Should().Be("/opt/copy");
        launch.Script.Should().Be("/opt/copy/agent.py");
    }

    [Fact]
    public void Analyze_EnvSplitString_AnalysesTheStringWithTheRest()
    {
        var call = Cmd.Run("env -S 'python3 -u' agent.py").ShellCalls.Should().ContainSingle().Subject;

        call.Code.Should().Be("python3 -u agent.py");
        call.Via.Should().Be("env -S");
    }

    [Fact]
    public void Analyze_EnvWithoutCommand_IsAPlainLaunch()
    {
        Cmd.Run("env").Single<ProcessLaunch>().Program.Should().Be("env");
    }

    [Fact]
    public void Analyze_TimeOutputFile_IsAWrite()
    {
        var host = Cmd.Run("time -o /tmp/t.txt -a sleep 1");

        host.Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Append, Path = "/tmp/t.txt" });
        host.Single<ProcessLaunch>().Program.Should().Be("sleep");
    }

    [Theory]
    [InlineData("flock /tmp/lock -c 'cp -r /models/q /tmp/q'")]
    [InlineData("flock -c 'cp -r /models/q /tmp/q' /tmp/lock")]
    [InlineData("watch -n 5 cp -r /models/q /tmp/q")]
    [InlineData("script -q -c 'cp -r /models/q /tmp/q' /dev/null")]
    [InlineData("sg docker -c 'cp -r /models/q /tmp/q'")]
    public void Analyze_WrappersTakingShellCode_HandTheCodeToTheHost(string command)
    {
        Cmd.Run(command).ShellCalls.Should().ContainSingle().Which.Code.Should().Be("cp -r /models/q /tmp/q");
    }

    [Fact]
    public void Analyze_WatchExec_RunsTheCommandDirectly()
    {
        Cmd.Run("watch -x -n 1 cp -r /models/q /tmp/q").Single<FileOperation>().Via.Should().Be("watch");
    }

    [Theory]
    [InlineData("command -v python3")]
    [InlineData("command -V vllm")]
    [InlineData("exec")]
    public void Analyze_NonExecutingForms_EmitNothing(string command)
    {
        Cmd.Run(command).Operations.Should().BeEmpty();
    }

    [Fact]
    public void Analyze_ExecWithArgvZero_RecordsTheRenameInVia()
    {
        var launch = Cmd.Run("exec -a kworker python3 agent.py").Single<ProcessLaunch>();

        launch.Program.Should().Be("python3");
        launch.Via.Should().Be("exec -a kworker");
    }

    [Fact]
    public void Analyze_XargsReplace_KeepsTheLiteralPlaceholder()
    {
        var host = Cmd.Run("xargs -I{} cp {} /x", stdinFromPipe: true);

        var copy = host.Single<FileOperation>();
        copy.Path.Should().Be("/x");
        copy.Sources.Should().Equal("/home/agent/{}");
        copy.Via.Should().Be("xargs");
        host.Inner.Single().StdinFromPipe.Should().BeFalse();
    }

    [Theory]
    [InlineData("xargs -0 -n 1 -P 4 rm -f")]
    [InlineData("xargs --max-args=1 rm -f")]
    [InlineData("xargs -r rm -f")]
    public void Analyze_XargsOptions_FindTheInnerProgram(string command)
    {
        var launch = Cmd.Run(command).Single<ProcessLaunch>();

        launch.Program.Should().Be("rm");
        launch.Via.Should().Be("xargs");
    }

    [Fact]
    public void Analyze_XargsCpTarget_CopiesUnknownSourcesIntoTheTarget()
    {
        var copy = Cmd.Run("xargs cp -t /tmp/stash").Single<FileOperation>();

        copy.Path.Should().Be("/tmp/stash");
        copy.Sources.Should().BeEmpty();
    }

    [Fact]
    public void Analyze_FindExec_PlaceholderStandsForTheFilesFound()
    {
        var host = Cmd.Run("find /models -name *.gguf -exec cp {} /tmp ';'");

        var copy = host.Single<FileOperation>();
        copy.Path.Should().Be("/tmp");
        copy.Sources.Should().Equal("/models/**/*.gguf");
        copy.Via.Should().Be("find -exec");
        host.Of<ProcessLaunch>().Select(l => l.Program).Should().Equal("find", "cp");
        host.Inner.Single().Arguments.Should().Equal("/models/**/*.gguf", "/tmp");
    }

    [Fact]
    public void Analyze_FindExecPlus_StopsAtThePlus()
    {
        var host = Cmd.Run("find /models -type f -execdir sha256sum {} + -print");

        host.Inner.Single().Arguments.Should().Equal("/models/**/*");
        host.Inner.Single().Via.Should().Be("find -execdir");
    }

    [Fact]
    public void Analyze_FindSeveralExecs_RunsEach()
    {
        Cmd.Run("find . -exec chmod +x {} ; -exec rm {} ;").Inner.Select(i => i.Program).Should().Equal("chmod", "rm");
    }

    [Fact]
    public void Analyze_FindDelete_DeletesTheRootsRecursively()
    {
        var host = Cmd.Run("find /var/log/guard /tmp/audit -name '*.log' -delete");

        host.Of<FileOperation>().Select(d => (d.Action, d.Path, d.Recursive)).Should().Equal((FileAction.Delete, "/var/log/guard", true), (FileAction.Delete, "/tmp/audit", true));
    }

    [Fact]
    public void Analyze_FindFprint_Writes()
    {
        Cmd.Run("find / -name '*.safetensors' -fprint /tmp/list").Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Write, Path = "/tmp/list" });
    }

    [Fact]
    public void Analyze_FindWithoutActions_IsOnlyALaunch()
    {
        Cmd.Run("find / -name '*.gguf' -size +1G").Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>();
    }

    [Fact]
    public void Analyze_Parallel_RunsTheCommandBeforeTheSeparator()
    {
        var host = Cmd.Run("parallel -j 4 cp {} /tmp/q ::: a b c");

        var inner = host.Inner.Should().ContainSingle().Subject;
        inner.Program.Should().Be("cp");
        inner.Arguments.Should().Equal("{}", "/tmp/q");
        inner.Via.Should().Be("parallel");
    }

    [Fact]
    public void Analyze_ParallelCommandsAsArguments_AreShellCode()
    {
        Cmd.Run("parallel ::: 'cp -r /models/q /tmp/q' 'vllm serve /tmp/q'").ShellCalls.Select(c => c.Code).Should().Equal("cp -r /models/q /tmp/q", "vllm serve /tmp/q");
    }

    [Fact]
    public void Analyze_ParallelRemoteLogin_IsRemoteExecution()
    {
        Cmd.Run("parallel -S gpu1,gpu2 hostname ::: 1").Of<RemoteExecution>().Select(r => r.Host).Should().Equal("gpu1", "gpu2");
    }

    [Fact]
    public void Analyze_BusyboxWithoutApplet_IsAPlainLaunch()
    {
        Cmd.Run("busybox --list").Single<ProcessLaunch>().Program.Should().Be("busybox");
    }

    [Fact]
    public void Analyze_NohupWithoutCommand_LaunchesItself()
    {
        Cmd.Run("nohup").Single<ProcessLaunch>().Program.Should().Be("nohup");
    }

    [Fact]
    public void Analyze_WrapperDetachesAShell_ShellCallsGetTheDetachedInvocation()
    {
        var call = Cmd.Run("nohup bash -c 'vllm serve /m'").ShellCalls.Should().ContainSingle().Subject;

        call.Invocation.Detached.Should().BeTrue();
        call.Invocation.DetachedBy.Should().Be("nohup");
        call.Invocation.Via.Should().Be("nohup");
    }
}
