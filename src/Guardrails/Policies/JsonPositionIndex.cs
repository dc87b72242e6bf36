using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Guardrails.Policies;

// Semantic diagnostics are found on the deserialized DTOs, which have no positions. This index maps every JSON path
// (in the exact syntax System.Text.Json uses for JsonException.Path) to the 1-based line and UTF-16 column of the
// property name or array element, in one forward pass of Utf8JsonReader over the same bytes. It also tells syntax
// errors apart from type errors: a syntax error stops this reader too.
internal sealed class JsonPositionIndex
{
    // The characters that make System.Text.Json write a property as ['name'] instead of .name in a path.
    private static readonly SearchValues<char> SpecialPathCharacters =
        SearchValues.Create(" \"'()./[\\]\b\t\n\f\r\u0085\u2028\u2029");

    private readonly Dictionary<string, Entry> _entries;

    private JsonPositionIndex(Dictionary<string, Entry> entries) => _entries = entries;

    /// <summary>Gets the reader settings that match those of <see cref="PolicyJsonContext"/>.</summary>
    public static JsonReaderOptions ReaderOptions { get; } = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static JsonPositionIndex Empty { get; } = new(new Dictionary<string, Entry>(StringComparer.Ordinal));

    /// <summary>Gets the number of paths recorded.</summary>
    public int Count => _entries.Count;

    /// <summary>Indexes <paramref name="utf8"/>; on malformed JSON returns what was indexed before the error and the reader's exception.</summary>
    public static JsonPositionIndex Build(ReadOnlySpan<byte> utf8, out JsonException? syntaxError)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var frames = new List<Frame>();
        string? propertyPath = null;
        var propertyIsNew = false;
        var tracker = new PositionTracker();
        syntaxError = null;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                var tokenType = reader.TokenType;
                if (tokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.RemoveAt(frames.Count - 1);
                    continue;
                }

                tracker.Advance(utf8, checked((int)reader.TokenStartIndex));
                if (tokenType == JsonTokenType.PropertyName)
                {
                    propertyPath = Property(frames[^1].Path, PropertyName(ref reader));
                    propertyIsNew = entries.TryAdd(propertyPath, new Entry(tracker.Line, tracker.Column, JsonTokenType.None));
                    continue;
                }

                string valuePath;
                if (frames.Count == 0)
                {
                    valuePath = "$";
                    entries.TryAdd(valuePath, new Entry(tracker.Line, tracker.Column, tokenType));
                }
                else if (frames[^1].IsArray)
                {
                    valuePath = Element(frames[^1].Path, frames[^1].Count++);
                    entries.TryAdd(valuePath, new Entry(tracker.Line, tracker.Column, tokenType));
                }
                else
                {
                    valuePath = propertyPath!;
                    if (propertyIsNew)
                    {
                        // Keep the property name's position, which is where an editor should point, and add the value's type.
                        entries[valuePath] = entries[valuePath] with { TokenType = tokenType };
                    }
                }

                if (tokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames.Add(new Frame(valuePath, tokenType == JsonTokenType.StartArray));
                }
            }
        }
        catch (JsonException ex)
        {
            syntaxError = ex;
        }

        return new JsonPositionIndex(entries);
    }

    // A name with an unpaired surrogate escape (\ud800) cannot become a string; it is indexed under its raw text, which
    // no diagnostic path names (the loader reports the text as invalid JSON).
    private static string PropertyName(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    /// <summary>Finds the position recorded for exactly <paramref name="path"/>.</summary>
    public bool TryGet(string path, out Entry entry) => _entries.TryGetValue(path, out entry);

    /// <summary>Finds the position of <paramref name="path"/> or, when it is absent from the file, of its nearest ancestor.</summary>
    /// <returns>The 1-based line and column, or (0, 0) when nothing of the path is in the file.</returns>
    public (int Line, int Column) Locate(string? path)
    {
        while (path is not null)
        {
            if (_entries.TryGetValue(path, out var entry))
            {
                return (entry.Line, entry.Column);
            }

            path = TrySplitLast(path, out var parent, out _, out _) ? parent : null;
        }

        return (0, 0);
    }

    /// <summary>Appends a property to a path the way <see cref="JsonException.Path"/> spells it.</summary>
    public static string Property(string parent, string name) =>
        name.AsSpan().ContainsAny(SpecialPathCharacters) ? $"{parent}['{name}']" : $"{parent}.{name}";

    /// <summary>Appends an array index to a path.</summary>
    public static string Element(string parent, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    /// <summary>Splits the last segment off a path: a property name (<paramref name="name"/>) or an array index (<paramref name="index"/>).</summary>
    public static bool TrySplitLast(string path, out string parent, out string? name, out int index)
    {
        parent = path;
        name = null;
        index = -1;
        if (path.Length <= 1)
        {
            return false;
        }

        if (path.EndsWith("']", StringComparison.Ordinal))
        {
            // A name that itself contains "['" is split at the wrong place; such keys only make a location less precise.
            // The "['" must end before the closing quote: a name ending in '[' ("host[") must not be taken for it.
            var open = path.Length >= 4 ? path.LastIndexOf("['", path.Length - 3, StringComparison.Ordinal) : -1;
            if (open > 0)
            {
                parent = path[..open];
                name = path[(open + 2)..^2];
                return true;
            }

            return false;
        }

        if (path[^1] == ']')
        {
            var open = path.LastIndexOf('[');
            if (open > 0 && int.TryParse(path.AsSpan(open + 1, path.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                parent = path[..open];
                return true;
            }

            return false;
        }

        var dot = path.LastIndexOf('.');
        if (dot > 0)
        {
            parent = path[..dot];
            name = path[(dot + 1)..];
            return true;
        }

        return false;
    }

    /// <summary>Converts a reader position (0-based line, 0-based UTF-8 byte offset in that line) to a 1-based line and UTF-16 column.</summary>
    public static (int Line, int Column) ToLineColumn(ReadOnlySpan<byte> utf8, long lineNumber, long bytePositionInLine)
    {
        var lineStart = 0;
        for (long line = 0; line < lineNumber && lineStart <= utf8.Length; line++)
        {
            var newline = utf8[lineStart..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                lineStart = utf8.Length;
                break;
            }

            lineStart += newline + 1;
        }

        var end = (int)Math.Min(utf8.Length, lineStart + Math.Max(0, bytePositionInLine));
        var column = 1;
        foreach (var b in utf8[lineStart..end])
        {
            column += CharsOf(b);
        }

        return ((int)Math.Min(int.MaxValue, lineNumber + 1), column);
    }

    // UTF-16 code units contributed by a UTF-8 byte: continuation bytes none, 4-byte lead bytes a surrogate pair.
    private static int CharsOf(byte b) => (b & 0xC0) == 0x80 ? 0 : b >= 0xF0 ? 2 : 1;

    /// <summary>The position of a property name or array element and the type of its value.</summary>
    internal readonly record struct Entry(int Line, int Column, JsonTokenType TokenType);

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int Count { get; set; }
    }

    // Turns monotonically increasing byte offsets into line and column without rescanning: linear over the file.
    private struct PositionTracker()
    {
        private int _offset;

        public int Line { get; private set; } = 1;

        public int Column { get; private set; } = 1;

        public void Advance(ReadOnlySpan<byte> utf8, int offset)
        {
            var line = Line;
            var column = Column;
            for (var i = _offset; i < offset; i++)
            {
                var b = utf8[i];
                if (b == (byte)'\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column += CharsOf(b);
                }
            }

            _offset = offset;
            Line = line;
            Column = column;
        }
    }
}
