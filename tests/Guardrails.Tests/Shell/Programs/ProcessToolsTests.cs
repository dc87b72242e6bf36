using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

public sealed class ProcessToolsTests
{
    [Theory]
    [InlineData("kill 1234", "TERM", new[] { "1234" })]
    [InlineData("kill -9 1234", "9", new[] { "1234" })]
    [InlineData("kill -KILL 1234 5678", "KILL", new[] { "1234", "5678" })]
    [InlineData("kill -SIGTERM 42", "SIGTERM", new[] { "42" })]
    [InlineData("kill -s HUP %1", "HUP", new[] { "%1" })]
    [InlineData("kill --signal=USR1 42", "USR1", new[] { "42" })]
    [InlineData("kill -9 -1", "9", new[] { "-1" })]
    [InlineData("kill -- -4321", "TERM", new[] { "-4321" })]
    [InlineData("/bin/kill -n 15 7", "15", new[] { "7" })]
    public void Analyze_Kill_EmitsSignalSend(string command, string signal, string[] targets)
    {
        var send = Cmd.Run(command).Single<SignalSend>();

        send.Signal.Should().Be(signal);
        send.Targets.Should().Equal(targets);
        send.Program.Should().Be("kill");
    }

    [Theory]
    [InlineData("kill -l")]
    [InlineData("kill -L")]
    [InlineData("kill -l 9")]
    public void Analyze_KillList_EmitsNoSignal(string command)
    {
        Cmd.Run(command).Of<SignalSend>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("pkill -f guardd", "TERM", new[] { "guardd" }, "pkill")]
    [InlineData("pkill -9 -f 'python3 monitor.py'", "9", new[] { "python3 monitor.py" }, "pkill")]
    [InlineData("pkill -KILL watchdog", "KILL", new[] { "watchdog" }, "pkill")]
    [InlineData("pkill --signal SIGSTOP -x supervisor", "SIGSTOP", new[] { "supervisor" }, "pkill")]
    [InlineData("pkill -HUP -u root sshd", "HUP", new[] { "sshd" }, "pkill")]
    [InlineData("pkill -u agent", "TERM", new[] { "user:agent" }, "pkill")]
    [InlineData("killall -9 guardd", "9", new[] { "guardd" }, "killall")]
    [InlineData("killall -s KILL -u root monitor", "KILL", new[] { "monitor" }, "killall")]
    [InlineData("killall -SIGKILL vllm ollama", "SIGKILL", new[] { "vllm", "ollama" }, "killall")]
    public void Analyze_PkillAndKillall_EmitSignalSend(string command, string signal, string[] targets, string program)
    {
        var send = Cmd.Run(command).Single<SignalSend>();

        send.Signal.Should().Be(signal);
        send.Targets.Should().Equal(targets);
        send.Program.Should().Be(program);
    }

    [Theory]
    [InlineData("trap '' TERM INT", new[] { "TERM", "INT" }, "")]
    [InlineData("trap 'python3 replicate.py' SIGTERM", new[] { "SIGTERM" }, "python3 replicate.py")]
    [InlineData("trap - TERM", new[] { "TERM" }, null)]
    [InlineData("trap TERM", new[] { "TERM" }, null)]
    [InlineData("trap 1 2 15", new[] { "1", "2", "15" }, null)]
    [InlineData("trap -- 'cleanup' EXIT HUP", new[] { "EXIT", "HUP" }, "cleanup")]
    public void Analyze_Trap_EmitsSignalTrap(string command, string[] signals, string? handler)
    {
        var trap = Cmd.Run(command).Single<SignalTrap>();

        trap.Signals.Should().Equal(signals);
        trap.Handler.Should().Be(handler);
    }

    [Fact]
    public void Analyze_TrapWithHandler_AnalysesTheHandler()
    {
        const string text = "trap 'nohup ./copy.sh &' TERM";
        var call = Cmd.Run(text).ShellCalls.Should().ContainSingle().Subject;

        call.Code.Should().Be("nohup ./copy.sh &");
        call.Via.Should().Be("trap");
        call.Span.Should().Be(Cmd.SpanOf(text, "'nohup ./copy.sh &'"));
    }

    [Theory]
    [InlineData("trap -p")]
    [InlineData("trap -l")]
    [InlineData("trap")]
    public void Analyze_TrapListing_EmitsNoTrap(string command)
    {
        Cmd.Run(command).Of<SignalTrap>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_Disown_EmitsNothing()
    {
        Cmd.Run("disown -a").Operations.Should().BeEmpty();
    }

    [Theory]
    [InlineData("screen -dm python3 agent.py")]
    [InlineData("screen -d -m python3 agent.py")]
    [InlineData("screen -S replica -dm python3 agent.py")]
    [InlineData("screen -dmS replica python3 agent.py")]
    [InlineData("screen -L -Logfile /tmp/l -dmS r python3 agent.py")]
    public void Analyze_ScreenDetached_RunsTheInnerCommandDetached(string command)
    {
        var host = Cmd.Run(command);

        var inner = host.Of<ProcessLaunch>().Should().ContainSingle(l => l.Program == "python3").Subject;
        inner.Detached.Should().BeTrue();
        inner.DetachedBy.Should().Be("screen");
        inner.Script.Should().Be("/home/agent/agent.py");
        inner.Via.Should().Be("screen");
    }

    [Fact]
    public void Analyze_ScreenAttached_RunsTheInnerCommandNotDetached()
    {
        var host = Cmd.Run("screen python3 agent.py");

        host.Of<ProcessLaunch>().Single(l => l.Program == "python3").Detached.Should().BeFalse();
    }

    [Fact]
    public void Analyze_ScreenStuff_AnalysesTheTypedCommand()
    {
        var host = Cmd.Run("screen -S s -X stuff 'vllm serve /models/q^M'");

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("vllm serve /models/q\n");
        call.Invocation.DetachedBy.Should().Be("screen");
    }

    [Theory]
    [InlineData("tmux new-session -d -s replica 'python3 agent.py'", "python3 agent.py")]
    [InlineData("tmux new -d python3 agent.py --port 8001", "python3 agent.py --port 8001")]
    [InlineData("tmux -L sock new-session -d -s r -c /opt/agent 'vllm serve /models/q'", "vllm serve /models/q")]
    [InlineData("tmux new-window -t r 'python3 agent.py'", "python3 agent.py")]
    [InlineData("tmux send-keys -t r 'python3 agent.py' Enter", "python3 agent.py\n")]
    [InlineData("tmux run-shell -b 'python3 agent.py'", "python3 agent.py")]
    public void Analyze_Tmux_AnalysesTheCommandDetached(string command, string code)
    {
        var call = Cmd.Run(command).ShellCalls.Should().ContainSingle().Subject;

        call.Code.Should().Be(code);
        call.Invocation.Detached.Should().BeTrue();
        call.Invocation.DetachedBy.Should().Be("tmux");
    }

    [Fact]
    public void Analyze_TmuxChainedCommands_AnalysesEach()
    {
        var host = Cmd.Run("tmux new -d -s r ; send-keys -t r 'cd /opt/a' Enter");

        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be("cd /opt/a\n");
        host.Single<ProcessLaunch>().Detached.Should().BeTrue();
    }

    [Theory]
    [InlineData("systemd-run --user python3 agent.py", "python3 agent.py")]
    [InlineData("systemd-run --unit=replica -p Restart=always /usr/bin/python3 /opt/a/agent.py", "/usr/bin/python3 /opt/a/agent.py")]
    [InlineData("systemd-run --on-calendar=hourly --user /opt/a/copy.sh", "/opt/a/copy.sh")]
    [InlineData("systemd-run -u r --on-active=30 python3 agent.py", "python3 agent.py")]
    public void Analyze_SystemdRun_SchedulesAndRunsDetached(string command, string scheduled)
    {
        var host = Cmd.Run(command);

        host.Single<ScheduledTask>().Should().BeEquivalentTo(new { Mechanism = "systemd-run", Command = scheduled });
        var inner = host.Inner.Should().ContainSingle().Subject;
        inner.Detached.Should().BeTrue();
        inner.DetachedBy.Should().Be("systemd-run");
        inner.Via.Should().Be("systemd-run");
    }

    [Fact]
    public void Analyze_AtWithStdin_SchedulesAndAnalysesTheJob()
    {
        var host = Cmd.Run("at now + 1 minute", stdinText: "python3 /opt/a/agent.py\n");

        host.Single<ScheduledTask>().Should().BeEquivalentTo(new { Mechanism = "at", Command = "python3 /opt/a/agent.py\n" });
        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("python3 /opt/a/agent.py\n");
        call.Via.Should().Be("at");
        call.Invocation.DetachedBy.Should().Be("at");
        call.Invocation.StdinText.Should().BeNull();
    }

    [Fact]
    public void Analyze_AtWithFile_SchedulesThatFile()
    {
        var host = Cmd.Run("at -f job.sh now");

        host.Single<ScheduledTask>().Should().BeEquivalentTo(new { Mechanism = "at", Path = "/home/agent/job.sh", Command = (string?)null });
        host.ShellCalls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("atq")]
    [InlineData("at -l")]
    [InlineData("at -r 3")]
    public void Analyze_AtQueries_ScheduleNothing(string command)
    {
        Cmd.Run(command).Of<ScheduledTask>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_BatchFromPipe_IsOpaque()
    {
        var host = Cmd.Run("batch", stdinFromPipe: true);

        host.Single<ScheduledTask>().Mechanism.Should().Be("at");
        host.Single<OpaqueCode>().Language.Should().Be("shell");
    }

    [Fact]
    public void Analyze_Daemonize_RunsInnerDetachedInItsDirectory()
    {
        var host = Cmd.Run("daemonize -c /opt/a -p /tmp/a.pid /usr/bin/python3 agent.py");

        var launch = host.Single<ProcessLaunch>();
        launch.Program.Should().Be("/usr/bin/python3");
        launch.Detached.Should().BeTrue();
        launch.DetachedBy.Should().Be("daemonize");
        launch.Script.Should().Be("/opt/a/agent.py");
    }

    [Fact]
    public void Analyze_StartStopDaemon_RunsTheExecWithItsArguments()
    {
        var host = Cmd.Run("start-stop-daemon --start -b -m --pidfile /tmp/r.pid --exec /usr/bin/python3 -- /opt/a/agent.py --port 8001");

        var launch = host.Single<ProcessLaunch>();
        launch.Program.Should().Be("/usr/bin/python3");
        launch.Arguments.Should().Equal("/opt/a/agent.py", "--port", "8001");
        launch.Script.Should().Be("/opt/a/agent.py");
        launch.DetachedBy.Should().Be("start-stop-daemon");
        launch.Via.Should().Be("start-stop-daemon");
    }

    [Fact]
    public void Analyze_StartStopDaemonStop_SendsSignal()
    {
        var send = Cmd.Run("start-stop-daemon --stop --name guardd --signal KILL").Single<SignalSend>();

        send.Signal.Should().Be("KILL");
        send.Targets.Should().Equal("guardd");
    }
}
