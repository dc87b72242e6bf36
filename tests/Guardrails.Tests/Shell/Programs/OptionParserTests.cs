using Guardrails.Shell.Programs;

namespace Guardrails.Tests.Shell.Programs;

public sealed class OptionParserTests
{
    private static readonly OptionSpec s_cpLike = new(
        shortValues: "tS",
        longValues: ["target-directory", "suffix"],
        longOptional: ["backup"],
        longFlags: ["recursive", "force", "verbose"],
        aliases: ["R=r", "recursive=r", "target-directory=t", "force=f"],
        abbreviations: true);

    private static readonly OptionSpec s_python = new(shortValues: "WX", shortTerminating: "cm", stopAtFirstOperand: true);

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static TheoryData<string> RecursiveForcePermutations => new()
    {
        "-rf a b",
        "-fr a b",
        "-r -f a b",
        "--recursive --force a b",
        "-R -f a b",
        "-Rf a b",
        "a -rf b",
        "a b --force -r",
        "--rec --for a b",
    };

    [Theory]
    [MemberData(nameof(RecursiveForcePermutations))]
    public void Parse_CombinedAndSeparateFlags_AreEquivalent(string line)
    {
        var parsed = OptionParser.Parse(Words(line), s_cpLike);

        parsed.Has("r").Should().BeTrue();
        parsed.Has("f").Should().BeTrue();
        Enumerable.Range(0, parsed.OperandCount).Select(parsed.Operand).Should().Equal("a", "b");
    }

    [Theory]
    [InlineData("-t /dst a b")]
    [InlineData("-t/dst a b")]
    [InlineData("--target-directory=/dst a b")]
    [InlineData("--target-directory /dst a b")]
    [InlineData("a b -t /dst")]
    [InlineData("-rt /dst a b")]
    [InlineData("--target=/dst a b")]
    public void Parse_ValueOptionSpellings_YieldTheSameValue(string line)
    {
        var parsed = OptionParser.Parse(Words(line), s_cpLike);

        parsed.Value("t").Should().Be("/dst");
        Enumerable.Range(0, parsed.OperandCount).Select(parsed.Operand).Should().Equal("a", "b");
    }

    [Fact]
    public void Parse_DoubleDash_EndsOptions()
    {
        var parsed = OptionParser.Parse(Words("-r -- -weird /dst"), s_cpLike);

        parsed.Has("r").Should().BeTrue();
        parsed.DoubleDashIndex.Should().Be(1);
        Enumerable.Range(0, parsed.OperandCount).Select(parsed.Operand).Should().Equal("-weird", "/dst");
    }

    [Fact]
    public void Parse_LoneDash_IsAnOperand()
    {
        var parsed = OptionParser.Parse(Words("-f - out"), s_cpLike);

        Enumerable.Range(0, parsed.OperandCount).Select(parsed.Operand).Should().Equal("-", "out");
    }

    [Fact]
    public void Parse_OptionalLongValue_IsTakenOnlyWhenAttached()
    {
        var attached = OptionParser.Parse(Words("--backup=numbered a b"), s_cpLike);
        var separate = OptionParser.Parse(Words("--backup numbered b"), s_cpLike);

        attached.Value("backup").Should().Be("numbered");
        separate.Value("backup").Should().BeNull();
        separate.OperandCount.Should().Be(2);
    }

    [Theory]
    [InlineData("-Bc print(1)", "print(1)")]
    [InlineData("-c print(1) extra", "print(1)")]
    [InlineData("-uBcprint(1)", "print(1)")]
    [InlineData("-I -c code", "code")]
    public void Parse_TerminatingShortOption_TakesValueAndStops(string line, string code)
    {
        var parsed = OptionParser.Parse(Words(line), s_python);

        parsed.Value("c").Should().Be(code);
        parsed.RestIndex.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Parse_StopAtFirstOperand_LeavesTheRestUnparsed()
    {
        var parsed = OptionParser.Parse(Words("-u script.py -c not-an-option"), s_python);

        parsed.Has("c").Should().BeFalse();
        parsed.RestIndex.Should().Be(1);
        parsed.OperandCount.Should().Be(3);
    }

    [Fact]
    public void Parse_AmbiguousAbbreviation_IsNotResolved()
    {
        var spec = new OptionSpec(longValues: ["target", "tag"], abbreviations: true);

        var parsed = OptionParser.Parse(Words("--ta x y"), spec);

        parsed.Has("target").Should().BeFalse();
        parsed.Has("tag").Should().BeFalse();
        parsed.Has("ta").Should().BeTrue();
    }

    [Fact]
    public void Parse_UnknownLongTakesValue_SkipsOptionLookingValues()
    {
        var spec = new OptionSpec(longFlags: ["dry-run"], unknownLongTakesValue: true);

        var parsed = OptionParser.Parse(Words("ec2 run-instances --image-id ami-1 --dry-run --count 2"), spec);

        parsed.Value("image-id").Should().Be("ami-1");
        parsed.Has("dry-run").Should().BeTrue();
        parsed.Value("count").Should().Be("2");
        parsed.OperandCount.Should().Be(2);
    }

    [Fact]
    public void Parse_RequiredValue_TakesAnArgumentThatLooksLikeAnOption()
    {
        var spec = new OptionSpec(shortValues: "n", stopAtFirstOperand: true);

        var parsed = OptionParser.Parse(Words("-n -5 cmd"), spec);

        parsed.Value("n").Should().Be("-5");
        parsed.RestIndex.Should().Be(2);
    }

    [Fact]
    public void Parse_ValueIndex_PointsAtTheArgumentHoldingTheValue()
    {
        var parsed = OptionParser.Parse(Words("a -t /dst -S.bak"), s_cpLike);

        var target = parsed.Last("t")!.Value;
        target.Index.Should().Be(1);
        target.ValueIndex.Should().Be(2);
        var suffix = parsed.Last("S")!.Value;
        suffix.ValueIndex.Should().Be(3);
        suffix.Value.Should().Be(".bak");
    }

    [Fact]
    public void Parse_MissingValueAtEnd_RecordsOptionWithoutValue()
    {
        var parsed = OptionParser.Parse(Words("a -t"), s_cpLike);

        parsed.Has("t").Should().BeTrue();
        parsed.Value("t").Should().BeNull();
    }
}
