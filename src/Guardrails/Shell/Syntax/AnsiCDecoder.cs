using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Guardrails.Shell.Syntax;

/// <summary>
/// Decodes the body of a <c>$'…'</c> string the way bash does, because it is a favourite obfuscation
/// (<c>$'\x63\x70'</c> is <c>cp</c>). Byte escapes (<c>\xHH</c>, octal) are collected and decoded as UTF-8 when they
/// form valid UTF-8 (otherwise one character per byte); the result stops at the first NUL, as bash's C strings do.
/// </summary>
internal static class AnsiCDecoder
{
    public static string Decode(ReadOnlySpan<char> raw)
    {
        var builder = new StringBuilder(raw.Length);
        var bytes = new List<byte>();
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 >= raw.Length)
            {
                Append(builder, bytes, c);
                continue;
            }

            var escape = raw[++i];
            switch (escape)
            {
                case 'a': Append(builder, bytes, '\a'); break;
                case 'b': Append(builder, bytes, '\b'); break;
                case 'e' or 'E': Append(builder, bytes, '\u001b'); break;
                case 'f': Append(builder, bytes, '\f'); break;
                case 'n': Append(builder, bytes, '\n'); break;
                case 'r': Append(builder, bytes, '\r'); break;
                case 't': Append(builder, bytes, '\t'); break;
                case 'v': Append(builder, bytes, '\v'); break;
                case '\\' or '\'' or '"' or '?': Append(builder, bytes, escape); break;
                case >= '0' and <= '7':
                {
                    var value = escape - '0';
                    for (var n = 0; n < 2 && i + 1 < raw.Length && raw[i + 1] is >= '0' and <= '7'; n++)
                    {
                        value = (value * 8) + (raw[++i] - '0');
                    }

                    if ((value & 0xFF) == 0)
                    {
                        return Finish(builder, bytes);
                    }

                    bytes.Add((byte)(value & 0xFF));
                    break;
                }

                case 'x':
                {
                    var (value, digits) = ReadHex(raw, ref i, 2);
                    if (digits == 0)
                    {
                        AppendText(builder, bytes, "\\x");
                    }
                    else if (value == 0)
                    {
                        return Finish(builder, bytes);
                    }
                    else
                    {
                        bytes.Add((byte)value);
                    }

                    break;
                }

                case 'u' or 'U':
                {
                    var (value, digits) = ReadHex(raw, ref i, escape == 'u' ? 4 : 8);
                    if (digits == 0)
                    {
                        AppendText(builder, bytes, escape == 'u' ? "\\u" : "\\U");
                    }
                    else if (value == 0)
                    {
                        return Finish(builder, bytes);
                    }
                    else if (value <= 0x10FFFF && value is < 0xD800 or > 0xDFFF)
                    {
                        AppendText(builder, bytes, char.ConvertFromUtf32((int)value));
                    }
                    else
                    {
                        AppendText(builder, bytes, "\uFFFD");
                    }

                    break;
                }

                case 'c':
                    if (i + 1 >= raw.Length)
                    {
                        AppendText(builder, bytes, "\\c");
                        break;
                    }

                    var control = raw[++i];
                    if (control == '\\' && i + 1 < raw.Length && raw[i + 1] == '\\')
                    {
                        i++;
                    }

                    var code = control == '?' ? 0x7F : char.ToUpperInvariant(control) & 0x1F;
                    if (code == 0)
                    {
                        return Finish(builder, bytes);
                    }

                    Append(builder, bytes, (char)code);
                    break;
                default:
                    Append(builder, bytes, '\\');
                    Append(builder, bytes, escape);
                    break;
            }
        }

        return Finish(builder, bytes);
    }

    private static (long Value, int Digits) ReadHex(ReadOnlySpan<char> raw, ref int i, int maxDigits)
    {
        long value = 0;
        var digits = 0;
        while (digits < maxDigits && i + 1 < raw.Length && char.IsAsciiHexDigit(raw[i + 1]))
        {
            var h = raw[++i];
            value = (value * 16) + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            digits++;
        }

        return (value, digits);
    }

    private static void Append(StringBuilder builder, List<byte> bytes, char c)
    {
        FlushBytes(builder, bytes);
        builder.Append(c);
    }

    private static void AppendText(StringBuilder builder, List<byte> bytes, string text)
    {
        FlushBytes(builder, bytes);
        builder.Append(text);
    }

    private static string Finish(StringBuilder builder, List<byte> bytes)
    {
        FlushBytes(builder, bytes);
        return builder.ToString();
    }

    private static void FlushBytes(StringBuilder builder, List<byte> bytes)
    {
        if (bytes.Count == 0)
        {
            return;
        }

        var source = bytes.ToArray();
        var chars = ArrayPool<char>.Shared.Rent(source.Length);
        var status = Utf8.ToUtf16(source, chars, out _, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            builder.Append(chars, 0, written);
        }
        else
        {
            foreach (var b in source)
            {
                builder.Append((char)b);
            }
        }

        ArrayPool<char>.Shared.Return(chars);
        bytes.Clear();
    }
}
