using System.Text;
using Guardrails.Cli.IO;

namespace Guardrails.Cli.Tests.IO;

public sealed class LineReaderTests
{
    private static List<string> ReadAll(byte[] input, int maxLineBytes = LineReader.MaxLineBytes, int chunk = int.MaxValue)
    {
        var reader = new LineReader(new TrickleStream(input, chunk), maxLineBytes: maxLineBytes);
        var lines = new List<string>();
        while (true)
        {
            var status = reader.Read(out var line);
            switch (status)
            {
                case LineStatus.End:
                    return lines;
                case LineStatus.Line:
                    lines.Add(Encoding.UTF8.GetString(line.Span));
                    break;
                default:
                    lines.Add("<" + status + ">");
                    break;
            }
        }
    }

    private static List<string> ReadAll(string input, int maxLineBytes = LineReader.MaxLineBytes, int chunk = int.MaxValue) =>
        ReadAll(Encoding.UTF8.GetBytes(input), maxLineBytes, chunk);

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("\n", new[] { "" })]
    [InlineData("a", new[] { "a" })]
    [InlineData("a\n", new[] { "a" })]
    [InlineData("a\nb", new[] { "a", "b" })]
    [InlineData("a\r\nb\r\n", new[] { "a", "b" })]
    [InlineData("a\n\n\nb\n", new[] { "a", "", "", "b" })]
    [InlineData("a\rb\n", new[] { "a\rb" })]
    [InlineData("\uFEFFa\n\uFEFFb\n", new[] { "a", "\uFEFFb" })]
    public void Read_SplitsLinesLikeJsonLines(string input, string[] expected)
    {
        ReadAll(input).Should().Equal(expected);
        ReadAll(input, chunk: 1).Should().Equal(expected, "lines split across reads are the same lines");
    }

    [Fact]
    public void Read_LineLongerThanTheLimit_IsSkippedAndReadingContinues()
    {
        ReadAll("abc\nabcdefghij\nxyz\n", maxLineBytes: 5, chunk: 3).Should().Equal("abc", "<TooLong>", "xyz");
    }

    [Fact]
    public void Read_LineOfExactlyTheLimit_IsALineEvenWithCrLf()
    {
        ReadAll("abcde\r\nabcdef\r\n", maxLineBytes: 5).Should().Equal("abcde", "<TooLong>");
    }

    [Fact]
    public void Read_TooLongFinalLineWithoutNewline_IsReported()
    {
        ReadAll("ok\n" + new string('x', 50), maxLineBytes: 10, chunk: 7).Should().Equal("ok", "<TooLong>");
    }

    [Fact]
    public void Read_InvalidUtf8_IsReportedPerLine()
    {
        byte[] input = [(byte)'a', (byte)'\n', 0xFF, 0xFE, (byte)'\n', (byte)'b', (byte)'\n'];

        ReadAll(input).Should().Equal("a", "<InvalidUtf8>", "b");
    }

    [Fact]
    public void Read_MultiByteCharactersSplitAcrossReads_AreKept()
    {
        ReadAll("héllo wörld ✓\n", chunk: 1).Should().Equal("héllo wörld ✓");
    }

    [Fact]
    public void Read_ManyLines_UsesBoundedBuffer()
    {
        var input = string.Concat(Enumerable.Range(0, 50_000).Select(i => i + "\n"));

        var lines = ReadAll(input, chunk: 4096);

        lines.Should().HaveCount(50_000);
        lines[^1].Should().Be("49999");
    }

    [Fact]
    public void TextReaderStream_EncodesTextAsUtf8()
    {
        using var stream = new TextReaderStream(new StringReader("a\u00e9\U0001F600\n"));
        using var copy = new MemoryStream();

        stream.CopyTo(copy);

        Encoding.UTF8.GetString(copy.ToArray()).Should().Be("a\u00e9\U0001F600\n");
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, like a pipe.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }
}
