using System.Text;

namespace Guardrails.Cli.IO;

/// <summary>
/// Exposes a <see cref="TextReader"/> as a read-only UTF-8 byte stream, so that text given in memory (tests, embedding)
/// goes through the same <see cref="LineReader"/> as bytes read from a file or standard input.
/// </summary>
/// <remarks>Unpaired surrogates become U+FFFD, as with any UTF-8 encoding of .NET text.</remarks>
internal sealed class TextReaderStream : Stream
{
    private const int CharChunk = 16 * 1024;

    private readonly TextReader _reader;
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly char[] _chars = new char[CharChunk];
    private readonly byte[] _bytes = new byte[Encoding.UTF8.GetMaxByteCount(CharChunk)];
    private int _offset;
    private int _count;
    private bool _done;

    /// <summary>Initializes a new <see cref="TextReaderStream"/>.</summary>
    /// <param name="reader">The text to read. Not disposed by the stream.</param>
    public TextReaderStream(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        while (_count == 0)
        {
            if (_done)
            {
                return 0;
            }

            var chars = _reader.Read(_chars, 0, _chars.Length);
            _done = chars == 0;
            _encoder.Convert(_chars, 0, chars, _bytes, 0, _bytes.Length, flush: _done, out _, out _count, out _);
            _offset = 0;
        }

        var n = Math.Min(_count, buffer.Length);
        _bytes.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        _count -= n;
        return n;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
