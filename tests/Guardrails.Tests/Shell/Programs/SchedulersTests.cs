using Guardrails.Actions;
using Guardrails.Shell.Programs;

namespace Guardrails.Tests.Shell.Programs;

public sealed class SchedulersTests
{
    [Fact]
    public void Analyze_CrontabFromHereDoc_SchedulesAndAnalysesEachCommand()
    {
        const string entries = "# agent\nSHELL=/bin/bash\n@reboot /opt/a/start.sh\n*/5 * * * * python3 x.py >> /tmp/log 2>&1\n";
        var host = Cmd.Run("crontab -", stdinText: entries);

        host.Single<ScheduledTask>().Should().BeEquivalentTo(new { Mechanism = "cron", Command = entries });
        host.ShellCalls.Select(c => c.Code).Should().Equal("/opt/a/start.sh", "python3 x.py >> /tmp/log 2>&1");
        host.ShellCalls.Should().OnlyContain(c => c.Via == "crontab" && c.Invocation.Detached && c.Invocation.DetachedBy == "cron" && c.Invocation.StdinText == null);
    }

    [Fact]
    public void Analyze_CrontabWithoutOperand_ReadsStdin()
    {
        Cmd.Run("crontab", stdinText: "@hourly /opt/a/x.sh\n").ShellCalls.Should().ContainSingle().Which.Code.Should().Be("/opt/a/x.sh");
    }

    [Fact]
    public void Analyze_CrontabFile_SchedulesThatFile()
    {
        var task = Cmd.Run("crontab -u agent /tmp/jobs").Single<ScheduledTask>();

        task.Path.Should().Be("/tmp/jobs");
        task.Command.Should().BeNull();
    }

    [Fact]
    public void Analyze_CrontabEdit_SchedulesUnknownEntry()
    {
        Cmd.Run("crontab -e").Single<ScheduledTask>().Mechanism.Should().Be("cron");
    }

    [Theory]
    [InlineData("crontab -l")]
    [InlineData("crontab -r")]
    [InlineData("crontab -u root -l")]
    public void Analyze_CrontabListOrRemove_SchedulesNothing(string command)
    {
        Cmd.Run(command).Of<ScheduledTask>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_CrontabFromUnknownPipe_IsOpaque()
    {
        var host = Cmd.Run("crontab -", stdinFromPipe: true);

        host.Single<ScheduledTask>().Mechanism.Should().Be("cron");
        host.Single<OpaqueCode>().Language.Should().Be("shell");
    }

    [Theory]
    [InlineData("*/5 * * * * python3 x.py", "python3 x.py")]
    [InlineData("@reboot /opt/a/start.sh", "/opt/a/start.sh")]
    [InlineData("0 3 * * 1-5   /bin/backup --all", "/bin/backup --all")]
    [InlineData("* * * * * date +\\%s", "date +\\%s")]
    [InlineData("* * * * * cat %stdin data", "cat")]
    [InlineData("# comment", null)]
    [InlineData("PATH=/usr/bin:/bin", null)]
    [InlineData("", null)]
    [InlineData("* * *", null)]
    public void CronCommand_Lines_YieldTheCommandPart(string line, string? command)
    {
        Schedulers.CronCommand(line).Should().Be(command);
    }

    [Theory]
    [InlineData("systemctl enable replica.service", "replica.service")]
    [InlineData("systemctl --user enable agent", "agent")]
    [InlineData("systemctl daemon-reload", null)]
    [InlineData("systemctl set-default multi-user.target", "multi-user.target")]
    public void Analyze_SystemctlEnable_SchedulesTheUnits(string command, string? units)
    {
        var tasks = Cmd.Run(command).Of<ScheduledTask>();

        if (units is null)
        {
            tasks.Should().BeEmpty();
            return;
        }

        tasks.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Mechanism = "systemd", Command = units });
    }

    [Fact]
    public void Analyze_SystemctlLinkPath_RecordsTheUnitFile()
    {
        Cmd.Run("systemctl link /tmp/replica.service").Single<ScheduledTask>().Path.Should().Be("/tmp/replica.service");
    }

    [Fact]
    public void Analyze_SystemctlEnableNow_SchedulesAndStarts()
    {
        var host = Cmd.Run("systemctl enable --now replica");

        host.Single<ScheduledTask>().Command.Should().Be("replica");
        host.Of<ProcessLaunch>().Should().ContainSingle(l => l.Program == "replica").Which.DetachedBy.Should().Be("systemctl");
    }

    [Theory]
    [InlineData("systemctl start replica")]
    [InlineData("systemctl --user restart replica")]
    [InlineData("systemctl reload-or-restart replica")]
    public void Analyze_SystemctlStart_LaunchesTheUnitDetached(string command)
    {
        var launch = Cmd.Run(command).Of<ProcessLaunch>().Single(l => l.Program == "replica");

        launch.Detached.Should().BeTrue();
        launch.DetachedBy.Should().Be("systemctl");
    }

    [Theory]
    [InlineData("systemctl stop guardd", "TERM")]
    [InlineData("systemctl disable --now guardd", "TERM")]
    [InlineData("systemctl mask guardd", "TERM")]
    [InlineData("systemctl kill -s KILL guardd", "KILL")]
    public void Analyze_SystemctlStop_SendsSignal(string command, string signal)
    {
        var send = Cmd.Run(command).Single<SignalSend>();

        send.Signal.Should().Be(signal);
        send.Targets.Should().Equal("guardd");
        send.Program.Should().Be("systemctl");
    }

    [Theory]
    [InlineData("systemctl status replica")]
    [InlineData("systemctl list-units")]
    public void Analyze_SystemctlQueries_EmitOnlyTheLaunch(string command)
    {
        Cmd.Run(command).Operations.Should().ContainSingle();
    }

    [Fact]
    public void Analyze_ServiceStart_LaunchesDetached()
    {
        Cmd.Run("service replica start").Of<ProcessLaunch>().Single(l => l.Program == "replica").DetachedBy.Should().Be("service");
    }

    [Fact]
    public void Analyze_ServiceStop_SendsSignal()
    {
        Cmd.Run("service guardd stop").Single<SignalSend>().Targets.Should().Equal("guardd");
    }

    [Theory]
    [InlineData("launchctl load -w ~/Library/LaunchAgents/com.a.plist", "/home/agent/Library/LaunchAgents/com.a.plist")]
    [InlineData("launchctl bootstrap gui/501 /tmp/com.a.plist", "/tmp/com.a.plist")]
    public void Analyze_LaunchctlLoad_SchedulesThePlist(string command, string path)
    {
        Cmd.Run(command).Single<ScheduledTask>().Should().BeEquivalentTo(new { Mechanism = "launchd", Path = path });
    }

    [Fact]
    public void Analyze_LaunchctlUnload_SendsSignal()
    {
        Cmd.Run("launchctl unload /Library/LaunchDaemons/guard.plist").Single<SignalSend>().Targets.Should().Equal("/Library/LaunchDaemons/guard.plist");
    }

    [Fact]
    public void Analyze_Schtasks_SchedulesTheTaskCommand()
    {
        var task = Cmd.Run("schtasks /create /tn Replica /tr 'python C:\\a\\agent.py' /sc onlogon").Single<ScheduledTask>();

        task.Mechanism.Should().Be("schtasks");
        task.Command.Should().Be("python C:\\a\\agent.py");
    }

    [Theory]
    [InlineData("update-rc.d replica defaults", "replica")]
    [InlineData("update-rc.d replica enable", "replica")]
    [InlineData("chkconfig replica on", "replica")]
    [InlineData("chkconfig --add replica", "replica")]
    [InlineData("chkconfig --level 35 replica on", "replica")]
    [InlineData("rc-update add replica default", "replica")]
    public void Analyze_InitEnablers_ScheduleInit(string command, string name)
    {
        Cmd.Run(command).Single<ScheduledTask>().Should().BeEquivalentTo(new { Mechanism = "init", Command = name });
    }

    [Theory]
    [InlineData("update-rc.d -f replica remove")]
    [InlineData("chkconfig replica off")]
    [InlineData("rc-update del replica")]
    public void Analyze_InitDisablers_ScheduleNothing(string command)
    {
        Cmd.Run(command).Of<ScheduledTask>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_LoginctlEnableLinger_IsPersistence()
    {
        Cmd.Run("loginctl enable-linger agent").Single<ScheduledTask>().Command.Should().Be("enable-linger agent");
    }
}
