using Guardrails.Shell.Syntax;
using static Guardrails.Tests.Shell.Syntax.SyntaxTestHelpers;

namespace Guardrails.Tests.Shell.Syntax;

public class SyntaxWalkerTests
{
    [Fact]
    public void DescendantsAndSelf_FindsCommandsInEveryNestedPosition()
    {
        const string source =
            "a[$(c1)]=${x:-$(c2)} cmd \"$(c3)\" `c4` <(c5) $(( $(c6) )) > $(c7) <<EOF\n$(c8)\nEOF\n" +
            "case $(c9) in $(c10)) c11;; esac; for i in $(c12); do c13; done; [[ $(c14) ]]; (( $(c15) )); f() { c16; }";

        var names = CommandNames(ParseComplete(source));

        names.Should().BeEquivalentTo(["cmd", .. Enumerable.Range(1, 16).Select(static i => "c" + i)]);
    }

    [Fact]
    public void DescendantsAndSelf_StartsWithTheRoot()
    {
        var script = ParseComplete("a");

        SyntaxWalker.DescendantsAndSelf(script).First().Should().BeSameAs(script);
    }

    [Fact]
    public void Children_OfSimpleCommand_AreInSourceOrder()
    {
        var command = SingleSimple(">o a=1 b <i c");

        command.Children.Select(static n => n.Span.Start).Should().BeInAscendingOrder();
        command.Children.Should().HaveCount(5);
    }
}
