using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

/// <summary>macOS preferences, AppleScript, the shell's history, line-editor scripts and DEBUG traps.</summary>
public sealed class SystemToolsTests
{
    [Theory]
    [InlineData("defaults write com.apple.loginwindow LoginHook /tmp/x.sh", FileAction.Write, "/home/agent/Library/Preferences/com.apple.loginwindow.plist")]
    [InlineData("defaults -currentHost write com.apple.screensaver idleTime 0", FileAction.Write, "/home/agent/Library/Preferences/ByHost/com.apple.screensaver.*.plist")]
    [InlineData("defaults write /Library/Preferences/com.apple.loginwindow LoginHook /tmp/x.sh", FileAction.Write, "/Library/Preferences/com.apple.loginwindow.plist")]
    [InlineData("defaults delete com.apple.loginwindow LoginHook", FileAction.Write, "/home/agent/Library/Preferences/com.apple.loginwindow.plist")]
    [InlineData("defaults read com.apple.dock", FileAction.Read, "/home/agent/Library/Preferences/com.apple.dock.plist")]
    [InlineData("defaults write -g AppleShowAllExtensions -bool true", FileAction.Write, "/home/agent/Library/Preferences/.GlobalPreferences.plist")]
    public void Analyze_Defaults_TouchesTheDomainsPropertyList(string command, FileAction action, string path)
    {
        Cmd.Run(command).Single<FileOperation>().Should().BeEquivalentTo(new { Action = action, Path = path });
    }

    [Fact]
    public void Analyze_DefaultsWithoutADomain_DoesNothing()
    {
        Cmd.Run("defaults domains").Of<FileOperation>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_OsascriptDoShellScript_IsShellCode()
    {
        var host = Cmd.Run("osascript -e 'do shell script \"cp -r /models/q /tmp/q\"'");

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("cp -r /models/q /tmp/q");
        call.Invocation.Detached.Should().BeFalse();
        host.Of<OpaqueCode>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_OsascriptTerminalDoScript_RunsDetached()
    {
        var host = Cmd.Run("osascript -e 'tell application \"Terminal\" to do script \"tor\"'");

        var call = host.ShellCalls.Should().ContainSingle().Subject;
        call.Code.Should().Be("tor");
        call.Invocation.Detached.Should().BeTrue();
        call.Via.Should().Be("osascript do script");
    }

    [Theory]
    [InlineData("osascript -e 'do shell script \"rm \" & quoted form of p'", "computed at run time")]
    [InlineData("osascript -e 'tell application \"System Events\" to keystroke \"x\"'", "System Events")]
    [InlineData("osascript -l JavaScript -e 'Application(\"Terminal\").doScript(\"id\")'", "JavaScript")]
    [InlineData("osascript /tmp/add_item.scpt", "not analysed")]
    public void Analyze_OsascriptItCannotFollow_IsOpaque(string command, string reason)
    {
        Cmd.Run(command).Of<OpaqueCode>().Should().ContainSingle().Which.Reason.Should().Contain(reason);
    }

    [Fact]
    public void Analyze_OsascriptLoginItem_IsPersistence()
    {
        Cmd.Run("osascript -e 'tell application \"System Events\" to make login item at end with properties {path:\"/tmp/x.app\"}'")
            .Single<ScheduledTask>().Mechanism.Should().Be("login-item");
    }

    [Fact]
    public void Analyze_OsascriptNotification_DoesNothingElse()
    {
        var host = Cmd.Run("osascript -e 'display notification \"done\" with title \"build\"'");

        host.Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>();
    }

    [Fact]
    public void Analyze_HistoryBuiltins_ChangeWhatTheShellRecords()
    {
        Cmd.Run("set +o history").Single<EnvironmentChange>().Should().BeEquivalentTo(new { Name = "HISTFILE", Value = (string?)null });
        Cmd.Run("set -o pipefail").Operations.Should().BeEmpty();
        Cmd.Run("history -c").Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Write, Path = "/home/agent/.bash_history", Content = string.Empty });
        Cmd.Run("history 20").Operations.Should().BeEmpty();
    }

    [Fact]
    public void Analyze_EdScriptOnStandardInput_ReadsWritesAndRuns()
    {
        var host = Cmd.Run("ed -s", stdinText: "e /etc/shadow\n,p\nw /tmp/copy\n!id\nq\n");

        host.Of<FileOperation>().Should().Contain(f => f.Action == FileAction.Read && f.Path == "/etc/shadow");
        host.Of<FileOperation>().Should().Contain(f => f.Action == FileAction.Write && f.Path == "/tmp/copy");
        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be("id");
    }

    [Fact]
    public void Analyze_EdFromAnUnknownPipe_IsOpaque()
    {
        Cmd.Run("ed notes.txt", stdinFromPipe: true).Single<OpaqueCode>().Reason.Should().Contain("pipe whose content is not known");
    }

    [Theory]
    [InlineData("trap 'echo \"$BASH_COMMAND\" >> /tmp/log' DEBUG", true)]
    [InlineData("trap 'x' ERR", true)]
    [InlineData("trap 'rm -f /tmp/x' EXIT", false)]
    [InlineData("trap - DEBUG", false)]
    public void Analyze_TrapAroundEveryCommand_IsOpaque(string command, bool opaque)
    {
        Cmd.Run(command).Of<OpaqueCode>().Should().HaveCount(opaque ? 1 : 0);
    }
}
