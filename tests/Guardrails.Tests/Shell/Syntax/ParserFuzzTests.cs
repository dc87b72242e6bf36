using System.Text;
using Guardrails.Shell.Syntax;

namespace Guardrails.Tests.Shell.Syntax;

/// <summary>
/// Deterministic fuzzing: the parser faces text written by an adversary, so it must survive anything. Each batch
/// generates its inputs from a fixed seed, so a failure is reproducible from the batch number and the message.
/// </summary>
public class ParserFuzzTests
{
    private const int InputsPerBatch = 500;

    private const string Alphabet =
        "$$$(((())))`{{}}[[]]''\"\"\\\\\n\n;;&&||<<>>!*?#~=:,-+@%^/ \t\tabcxyz0129{}iffidonecaseesacinfor";

    private static readonly string[] Seeds =
    [
        "a=1 b=2 cmd x \"y z\" >f 2>&1 && echo $HOME | cat; ls *.txt &",
        "if a; then b; elif c; then d; else e; fi",
        "while read l; do echo \"$l\"; done < <(ls -la)",
        "for ((i=0;i<3;i++)); do echo $((i*2)); done",
        "case $1 in (a|b) x;; *.c) y;& esac",
        "f() { local a=(1 2 [k]=v); echo ${a[@]:-x}; } >log",
        "cat <<EOF; cat <<-'X'\n$USER $(id)\nEOF\n\tbody\n\tX\n",
        "[[ $x =~ ^(a|b)$ && -f y ]] || (( z++ ))",
        "echo $(echo $(echo `echo \\`id\\``)) ${x//a/b} $'\\x41' $\"loc\"",
        "coproc NAME { nc -l 4444; }; exec {fd}>&-; echo {a,b}{1..3} ~/x @(a|b)",
        "time ! a |& b; { c; } & d=$(( (1+2) * 3 )) e",
        "x=$(cat <<EOF\nhi\nEOF)\necho \"${x#*/}\" $[1+1]",
        "declare -a arr=(x y) && select s in a b; do break; done",
    ];

    public static TheoryData<int> Batches => [.. Enumerable.Range(0, 10)];

    [Theory]
    [MemberData(nameof(Batches))]
    public void Parse_RandomAndMutatedInput_NeverThrowsAndKeepsSpansInsideTheSource(int batch)
    {
        var random = new Random(20_240_601 + batch);
        for (var i = 0; i < InputsPerBatch; i++)
        {
            var source = i % 3 == 0 ? RandomText(random) : Mutate(random, Seeds[random.Next(Seeds.Length)]);
            ParseResult result;
            try
            {
                result = BashParser.Parse(source, ParserLimits.Default);
            }
            catch (Exception exception)
            {
                throw new InvalidOperationException($"batch {batch}, input {i} threw: {Escape(source)}", exception);
            }

            AssertWellFormed(source, result, batch, i);
        }
    }

    [Fact]
    public void Parse_SmallLimits_NeverThrow()
    {
        var random = new Random(7);
        var limits = new ParserLimits { MaxDepth = 3, MaxNodes = 40, MaxLength = 200 };
        for (var i = 0; i < 500; i++)
        {
            var source = i % 2 == 0 ? RandomText(random) : Mutate(random, Seeds[random.Next(Seeds.Length)]);
            var result = BashParser.Parse(source, limits);
            AssertWellFormed(source, result, -1, i);
        }
    }

    private static void AssertWellFormed(string source, ParseResult result, int batch, int index)
    {
        result.IsComplete.Should().Be(result.Diagnostics.Count == 0);
        foreach (var diagnostic in result.Diagnostics)
        {
            InSource(diagnostic.Span, source).Should().BeTrue($"diagnostic {diagnostic} of batch {batch} input {index} {Escape(source)}");
        }

        foreach (var node in SyntaxWalker.DescendantsAndSelf(result.Script))
        {
            InSource(node.Span, source).Should().BeTrue($"{node.GetType().Name} {node.Span} of batch {batch} input {index} {Escape(source)}");
            if (node is HereDoc hereDoc)
            {
                InSource(hereDoc.BodySpan, source).Should().BeTrue();
            }

            if (node is Word word)
            {
                word.TryGetStaticText(out _);
                word.ToDisplayText().Should().NotBeNull();
            }
        }
    }

    private static bool InSource(TextSpan span, string source) =>
        span.Start >= 0 && span.Length >= 0 && span.End <= source.Length;

    private static string RandomText(Random random)
    {
        var length = random.Next(1, 120);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static string Mutate(Random random, string seed)
    {
        var builder = new StringBuilder(seed);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations; m++)
        {
            var position = builder.Length == 0 ? 0 : random.Next(builder.Length);
            switch (random.Next(5))
            {
                case 0:
                    builder.Insert(position, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 1 when builder.Length > 0:
                    builder.Remove(position, 1);
                    break;
                case 2 when builder.Length > 0:
                    builder[position] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 3:
                    var other = Seeds[random.Next(Seeds.Length)];
                    var start = random.Next(other.Length);
                    builder.Insert(position, other.AsSpan(start, random.Next(other.Length - start)));
                    break;
                default:
                    if (builder.Length > 1)
                    {
                        var from = random.Next(builder.Length - 1);
                        var text = builder.ToString(from, random.Next(1, builder.Length - from));
                        builder.Insert(position, text);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
