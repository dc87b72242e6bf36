using System.Text.Unicode;

namespace Guardrails.Cli.IO;

/// <summary>What <see cref="LineReader.Read"/> found.</summary>
internal enum LineStatus
{
    /// <summary>A line of valid UTF-8 (possibly empty).</summary>
    Line,

    /// <summary>A line longer than <see cref="LineReader.MaxLineBytes"/>; its content was skipped.</summary>
    TooLong,

    /// <summary>A line that is not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The end of the input; no line.</summary>
    End,
}

/// <summary>
/// Splits a UTF-8 byte stream into lines without decoding it and without holding more than one line (at most
/// <see cref="MaxLineBytes"/>) in memory.
/// </summary>
/// <remarks>
/// Lines end at <c>\n</c>; a <c>\r</c> before it is removed, so <c>\r\n</c> input works. A final line without a newline is
/// still a line; an empty input has no lines. A UTF-8 byte order mark at the start is skipped. Longer lines are
/// skipped in a streaming fashion and reported as <see cref="LineStatus.TooLong"/>, so no input can make the reader use
/// unbounded memory.
/// </remarks>
internal sealed class LineReader
{
    /// <summary>The longest line accepted, in bytes, without its line terminator: 4 MiB.</summary>
    public const int MaxLineBytes = 4 * 1024 * 1024;

    private const int InitialBufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly Action? _beforeRead;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;   // first byte of the current line
    private int _scanned; // bytes of the current line already searched for '\n'
    private int _end;     // end of the valid data
    private bool _eof;
    private bool _first = true;

    /// <summary>Initializes a new <see cref="LineReader"/>.</summary>
    /// <param name="stream">The input. Not disposed by the reader.</param>
    /// <param name="beforeRead">Called before each read from <paramref name="stream"/>, that is before the reader may block; for example to flush answers to the lines read so far.</param>
    /// <param name="maxLineBytes">The longest line accepted; <see cref="MaxLineBytes"/> unless a test needs less.</param>
    public LineReader(Stream stream, Action? beforeRead = null, int maxLineBytes = MaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _stream = stream;
        _beforeRead = beforeRead;
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(InitialBufferSize, maxLineBytes + 2)];
    }

    /// <summary>Reads the next line.</summary>
    /// <param name="line">The line without its terminator when the result is <see cref="LineStatus.Line"/>; valid until the next call.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public LineStatus Read(out ReadOnlyMemory<byte> line)
    {
        line = ReadOnlyMemory<byte>.Empty;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = _scanned + newline;
                var status = Take(_start, length, out line);
                _start += length + 1;
                _scanned = 0;
                return status;
            }

            _scanned = _end - _start;
            if (_eof)
            {
                if (_start == _end)
                {
                    return LineStatus.End;
                }

                var status = Take(_start, _end - _start, out line);
                _start = _end;
                _scanned = 0;
                return status;
            }

            if (_end - _start > _maxLineBytes + 1)
            {
                // +1: a '\r' that belongs to a "\r\n" terminator does not count.
                SkipRestOfLine();
                return LineStatus.TooLong;
            }

            Fill();
        }
    }

    private LineStatus Take(int start, int length, out ReadOnlyMemory<byte> line)
    {
        if (length > 0 && _buffer[start + length - 1] == (byte)'\r')
        {
            length--;
        }

        var span = _buffer.AsSpan(start, length);
        if (_first)
        {
            _first = false;
            if (span.StartsWith("\uFEFF"u8))
            {
                start += 3;
                length -= 3;
                span = span[3..];
            }
        }

        line = ReadOnlyMemory<byte>.Empty;
        if (length > _maxLineBytes)
        {
            return LineStatus.TooLong;
        }

        if (!Utf8.IsValid(span))
        {
            return LineStatus.InvalidUtf8;
        }

        line = new ReadOnlyMemory<byte>(_buffer, start, length);
        return LineStatus.Line;
    }

    private void SkipRestOfLine()
    {
        _first = false;
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start += newline + 1;
                _scanned = 0;
                return;
            }

            _start = _end = 0;
            _scanned = 0;
            if (_eof)
            {
                return;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            // Move the partial line to the front; cheap because a line is short or the buffer holds little else.
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var size = (int)Math.Min((long)_buffer.Length * 2, _maxLineBytes + 2L);
            Array.Resize(ref _buffer, size);
        }

        _beforeRead?.Invoke();
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
