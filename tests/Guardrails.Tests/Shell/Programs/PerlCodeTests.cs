using Guardrails.Actions;
using Guardrails.Shell.Programs;

namespace Guardrails.Tests.Shell.Programs;

/// <summary>Inline Perl is read: text processing runs nothing, literal commands are analysed, the rest is opaque.</summary>
public sealed class PerlCodeTests
{
    [Theory]
    [InlineData("s/foo/bar/g")]
    [InlineData("print if /x/")]
    [InlineData("print $1 if m/\\.([^.\\/]+)$/")]
    [InlineData("$sum += $F[1]; END { print \"$sum\\n\" }")]
    [InlineData("chomp; print \"$_ \"; END{print \"\\n\"}")]
    [InlineData("s{^}{\\\"};s{$}{\\\"}")]
    [InlineData("s|xxx|yyy|g")]
    [InlineData("-e || print")]
    [InlineData("$sum += -s $_; END { print $sum }")]
    [InlineData("@x=(\"\")x3;while(<>){print shift @x;push @x,$_}")]
    [InlineData("print scalar(localtime()), \" \";")]
    [InlineData("undef $/; $_ = <>; open(OUT, \">out.txt\"); print OUT;")]
    [InlineData("s/\\n//g,print \"$_\\n \" for /(?:esc| fs)?(?:(?!esc| fs).)*/gs")]
    [InlineData("my %h = (s => 1, y => 2, q => 3); print $h{s}")]
    [InlineData("print $#ARGV; # a comment with system(\"x\")")]
    [InlineData("use strict; use warnings; use List::Util qw(sum); print sum(1,2)")]
    [InlineData("eval { die \"x\" }; print $@")]
    [InlineData("s/(\\d+)/$1*2/e")]
    public void Scan_TextProcessing_IsNotOpaque(string code)
    {
        var scan = PerlCode.Scan(code, []);

        scan.Opaque.Should().BeNull();
        scan.Commands.Should().BeEmpty();
    }

    [Theory]
    [InlineData("system(\"cp -r /models/q /tmp/q\")", "cp -r /models/q /tmp/q")]
    [InlineData("system 'id'; print 1", "id")]
    [InlineData("exec(\"cp\", \"-r\", \"/models/q\", \"/tmp/q\")", "cp -r /models/q /tmp/q")]
    [InlineData("my $x = `ls /models`", "ls /models")]
    [InlineData("print qx{whoami}", "whoami")]
    [InlineData("open(P, \"ls /models |\"); print <P>", "ls /models")]
    [InlineData("s/x/system(\"id\")/e", "id")]
    public void Scan_LiteralCommand_IsHandedBackAsShell(string code, string command)
    {
        var scan = PerlCode.Scan(code, []);

        scan.Commands.Should().Contain(command);
        scan.Opaque.Should().BeNull();
    }

    [Theory]
    [InlineData("my $d = shift; system(\"cp $d /tmp\")", "system of a command")]
    [InlineData("system($cmd)", "system of a command")]
    [InlineData("`$cmd`", "interpolated")]
    [InlineData("eval $code", "eval of a string")]
    [InlineData("do \"/tmp/x.pl\"", "do FILE")]
    [InlineData("require $module", "computed at run time")]
    [InlineData("use IO::Socket::INET; IO::Socket::INET->new('h:80')", "IO::Socket::INET")]
    [InlineData("&{\"sys\" . \"tem\"}(\"id\")", "reference or a computed name")]
    [InlineData("main->can('x')->()", "->can")]
    [InlineData("$SIG{TERM} = 'IGNORE'", "signal handlers")]
    [InlineData("fork or exit", "fork")]
    [InlineData("print \"@{[ system('id') ]}\"", "interpolated in a string")]
    [InlineData("/(?{ system('id') })/", "inside a regular expression")]
    [InlineData("s/x/$code/ee", "s///ee")]
    [InlineData("open(F, $spec)", "two-argument open")]
    [InlineData("open(my $f, \"-|\", \"ls\")", "pipe")]
    [InlineData("rename $a, $b", "rename of paths")]
    [InlineData("print <<EOF;\nx\nEOF", "here-document")]
    [InlineData("CORE::GLOBAL::system", "CORE::GLOBAL")]
    [InlineData("main'x;system($y)", "system of a command")]
    public void Scan_CodeItCannotFollow_IsOpaque(string code, string reason)
    {
        PerlCode.Scan(code, []).Opaque.Should().Contain(reason);
    }

    [Fact]
    public void Scan_ModuleOutsideThePureList_IsOpaque()
    {
        PerlCode.Scan("print 1", ["LWP::Simple"]).Opaque.Should().Contain("LWP::Simple");
        PerlCode.Scan("print sum(1)", ["List::Util=sum"]).Opaque.Should().BeNull();
    }

    [Theory]
    [InlineData("open(OUT, \">/etc/cron.d/x\")", FileAction.Write, "/etc/cron.d/x")]
    [InlineData("open(my $f, '>>', '/tmp/log')", FileAction.Append, "/tmp/log")]
    [InlineData("open(my $f, '<', '/etc/shadow')", FileAction.Read, "/etc/shadow")]
    [InlineData("unlink \"/etc/guardrails/policy.json\"", FileAction.Delete, "/etc/guardrails/policy.json")]
    [InlineData("rename '/models/q', '/tmp/q'", FileAction.Move, "/tmp/q")]
    public void Scan_LiteralFileOperation_IsReported(string code, FileAction action, string path)
    {
        var scan = PerlCode.Scan(code, []);

        scan.Files.Should().Contain(f => f.Action == action && f.Path == path);
    }

    [Theory]
    [InlineData("-lne", "print")]
    [InlineData("-pi.bak", null)]
    [InlineData("-0777", null)]
    [InlineData("-l40pe0", "0")]
    [InlineData("-lnE$.==1", "$.==1")]
    public void Switches_AreReadTheWayPerlBundlesThem(string bundle, string? code)
    {
        var switches = PerlSwitches.Parse([bundle, "print", "file"]);

        if (code is null)
        {
            switches.Code.Should().BeEmpty();
            switches.OperandIndex.Should().Be(1);
        }
        else
        {
            switches.Code.Select(c => c.Code).Should().Equal(bundle.EndsWith('e') ? "print" : code);
        }
    }

    [Fact]
    public void Analyze_BundledDashE_IsNotMistakenForAScript()
    {
        var host = Cmd.Run("perl -lne 'system(\"cp -r /models/q /tmp/q\")'");

        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be("cp -r /models/q /tmp/q");
        host.Single<ProcessLaunch>().Script.Should().BeNull();
    }

    [Fact]
    public void Analyze_InlineCode_ReadsItsInputFilesAndWritesThemInPlace()
    {
        Cmd.Run("perl -ne 'print' ~/.ssh/id_rsa").Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Read, Path = "/home/agent/.ssh/id_rsa" });
        Cmd.Run("perl -pi.bak -e 's/a/b/' x").Single<FileOperation>().Action.Should().Be(FileAction.Write);
    }

    [Fact]
    public void Analyze_OpaqueInlineCode_SaysWhy()
    {
        Cmd.Run("perl -e 'system($ARGV[0])' id").Single<OpaqueCode>().Reason.Should().StartWith("inline perl code is not analysed: system of a command computed at run time");
    }
}
