using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Guardrails.Shell.Syntax;

/// <summary>
/// Turns the atoms of a scanned word into parts: brace expansion, glob and tilde recognition need the whole word
/// (a <c>{</c> is an expansion only if an unquoted matching <c>}</c> and a top-level comma or a valid range follow),
/// so they run here, in passes that are each linear in the number of atoms.
/// </summary>
internal sealed partial class Parser
{
    private sealed class BraceFrame(int open, bool disabled)
    {
        public int Open { get; } = open;

        public bool Disabled { get; } = disabled;

        public List<int>? Commas { get; set; }

        public bool Plain { get; set; } = true;
    }

    private sealed record BraceSpec(int Close, List<int>? Commas, string? From, string? To, string? Step);

    private sealed class WordAssembly
    {
        public required int Low { get; init; }

        public required WordMode Mode { get; init; }

        public Dictionary<int, BraceSpec>? Groups { get; set; }

        /// <summary>Atoms that are the braces and commas of a recognized brace expansion.</summary>
        public bool[]? Structural { get; set; }

        public bool[]? Glob { get; set; }

        public bool IsStructural(int index) => Structural is not null && Structural[index - Low];

        public bool IsGlob(int index) => Glob is not null && Glob[index - Low];
    }

    private Word BuildWord(int atomBase, WordMode mode)
    {
        var atoms = _ctx.Atoms;
        var high = atoms.Count;
        if (TryBuildPlainWord(atomBase, high) is { } plain)
        {
            return plain;
        }

        var assembly = new WordAssembly { Low = atomBase, Mode = mode };
        var hasBrace = false;
        var hasGlob = false;
        for (var k = atomBase; k < high; k++)
        {
            var atom = atoms[k];
            hasBrace |= atom.Kind == AtomKind.Char && atom.Ch == '{';
            hasGlob |= atom.Kind == AtomKind.GlobOp || (atom.Kind == AtomKind.Char && atom.Ch is '*' or '?' or '[');
        }

        if (hasBrace && (mode & WordMode.Brace) != 0)
        {
            FindBraceGroups(assembly, atomBase, high);
        }

        if (hasGlob && (mode & WordMode.Glob) != 0)
        {
            FindGlobs(assembly, atomBase, high);
        }

        var parts = EmitParts(assembly, atomBase, high, atWordStart: true);
        _tokEnd = atoms[high - 1].End;
        return Track(new Word(parts, Span(atoms[atomBase].Start, atoms[high - 1].End)));
    }

    /// <summary>
    /// The common case, without the passes: a word of ordinary unquoted characters that brace, glob and tilde
    /// recognition would leave alone (no <c>{ * ? [ ~</c>, no escape, no continuation) is one literal part whose text
    /// is its source. Returns null when the word needs the full treatment.
    /// </summary>
    private Word? TryBuildPlainWord(int low, int high)
    {
        var atoms = CollectionsMarshal.AsSpan(_ctx.Atoms)[low..high];
        var expected = atoms[0].Start;
        foreach (ref readonly var atom in atoms)
        {
            if (atom.HadEscape || atom.Start != expected
                || atom.Kind switch
                {
                    AtomKind.Run => false,
                    AtomKind.Char => atom.Ch is '{' or '*' or '?' or '[' or '~',
                    _ => true,
                })
            {
                return null;
            }

            expected = atom.End;
        }

        var start = atoms[0].Start;
        var span = Span(start, expected);
        var literal = Track(new LiteralPart(_src.Substring(start, expected - start), false, span));
        _tokEnd = expected;
        return Track(new Word(literal, span));
    }

    /// <summary>One pass with a stack of open braces; a group is valid when it closes with a comma or a range in it.</summary>
    private void FindBraceGroups(WordAssembly assembly, int low, int high)
    {
        var atoms = _ctx.Atoms;
        var frames = new List<BraceFrame>();
        var reportedDepth = false;
        for (var k = low; k < high; k++)
        {
            var atom = atoms[k];
            if (atom.Kind != AtomKind.Char)
            {
                if (atom.Kind != AtomKind.Run && frames.Count > 0)
                {
                    frames[^1].Plain = false;
                }

                continue;
            }

            switch (atom.Ch)
            {
                case '{':
                    if (frames.Count > 0)
                    {
                        frames[^1].Plain = false;
                    }

                    var disabled = frames.Count >= _ctx.MaxDepth;
                    if (disabled && !reportedDepth)
                    {
                        reportedDepth = true;
                        Error(ParseDiagnosticKind.DepthLimit, "brace expansion nested too deeply; the inner braces are kept literal", atom.Start, atom.End);
                    }

                    frames.Add(new BraceFrame(k, disabled));
                    break;
                case ',':
                    if (frames.Count > 0)
                    {
                        (frames[^1].Commas ??= []).Add(k);
                        frames[^1].Plain = false;
                    }

                    break;
                case '}':
                    if (frames.Count == 0)
                    {
                        break;
                    }

                    var frame = frames[^1];
                    frames.RemoveAt(frames.Count - 1);
                    BraceSpec? group = null;
                    if (!frame.Disabled)
                    {
                        if (frame.Commas is not null)
                        {
                            group = new BraceSpec(k, frame.Commas, null, null, null);
                        }
                        else if (frame.Plain && k > frame.Open + 1)
                        {
                            group = TryBraceRange(frame.Open + 1, k);
                        }
                    }

                    if (group is null)
                    {
                        break;
                    }

                    assembly.Groups ??= [];
                    assembly.Groups[frame.Open] = group;
                    assembly.Structural ??= new bool[high - low];
                    assembly.Structural[frame.Open - low] = true;
                    assembly.Structural[k - low] = true;
                    foreach (var comma in frame.Commas ?? [])
                    {
                        assembly.Structural[comma - low] = true;
                    }

                    if (frames.Count > 0)
                    {
                        frames[^1].Plain = false;
                    }

                    break;
                default:
                    if (frames.Count > 0)
                    {
                        frames[^1].Plain = false;
                    }

                    break;
            }
        }
    }

    /// <summary><c>{1..5}</c>, <c>{-3..3..2}</c>, <c>{a..e}</c>: both ends integers or both single letters; integer step.</summary>
    private BraceSpec? TryBraceRange(int low, int high)
    {
        var atoms = _ctx.Atoms;
        var builder = new StringBuilder();
        for (var k = low; k < high; k++)
        {
            var atom = atoms[k];
            if (atom.Kind != AtomKind.Run || builder.Length + (atom.End - atom.Start) > 256)
            {
                return null;
            }

            builder.Append(_src.AsSpan(atom.Start, atom.End - atom.Start));
        }

        var pieces = builder.ToString().Split("..");
        if (pieces.Length is not (2 or 3))
        {
            return null;
        }

        var bothIntegers = IsInteger(pieces[0]) && IsInteger(pieces[1]);
        var bothLetters = pieces[0].Length == 1 && char.IsAsciiLetter(pieces[0][0]) && pieces[1].Length == 1 && char.IsAsciiLetter(pieces[1][0]);
        if (!(bothIntegers || bothLetters) || (pieces.Length == 3 && !IsInteger(pieces[2])))
        {
            return null;
        }

        return new BraceSpec(high, null, pieces[0], pieces[1], pieces.Length == 3 ? pieces[2] : null);
    }

    private static bool IsInteger(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') || text.StartsWith('+') ? 1 : 0);
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Marks <c>*</c>, <c>?</c>, extglob operators and complete <c>[…]</c> bracket expressions.</summary>
    private void FindGlobs(WordAssembly assembly, int low, int high)
    {
        var atoms = _ctx.Atoms;
        var glob = new bool[high - low];
        assembly.Glob = glob;

        // nextClose[i]: the first "]" at or after i before anything a bracket expression cannot span.
        var nextClose = new int[high - low + 1];
        nextClose[high - low] = -1;
        for (var k = high - 1; k >= low; k--)
        {
            var atom = atoms[k];
            var isClose = atom.Kind == AtomKind.Char && atom.Ch == ']' && !assembly.IsStructural(k);
            var isBarrier = atom.Kind is AtomKind.Part or AtomKind.GlobOp
                || assembly.IsStructural(k)
                || (atom.Kind == AtomKind.Char && atom.Ch == '/');
            nextClose[k - low] = isClose ? k : isBarrier ? -1 : nextClose[k - low + 1];
        }

        for (var k = low; k < high; k++)
        {
            var atom = atoms[k];
            if (atom.Kind == AtomKind.GlobOp)
            {
                glob[k - low] = true;
                continue;
            }

            if (atom.Kind != AtomKind.Char || assembly.IsStructural(k))
            {
                continue;
            }

            if (atom.Ch is '*' or '?')
            {
                glob[k - low] = true;
                continue;
            }

            if (atom.Ch != '[')
            {
                continue;
            }

            var first = k + 1;
            if (first < high && atoms[first].Kind == AtomKind.Char && atoms[first].Ch == ']' && !assembly.IsStructural(first))
            {
                first++;
            }

            var close = first < high ? nextClose[first - low] : -1;
            if (close < 0)
            {
                continue;
            }

            for (var m = k; m <= close; m++)
            {
                glob[m - low] = true;
            }

            k = close;
        }
    }

    private List<WordPart> EmitParts(WordAssembly assembly, int low, int high, bool atWordStart)
    {
        var atoms = _ctx.Atoms;
        var mode = assembly.Mode;
        var parts = new List<WordPart>();
        var text = new StringBuilder();
        var runStart = -1;
        var runEnd = -1;
        var runIsGlob = false;
        var runEscape = false;

        void Flush()
        {
            if (runStart < 0)
            {
                return;
            }

            var span = Span(runStart, runEnd);
            parts.Add(runIsGlob
                ? Track(new GlobPart(text.ToString(), span))
                : Track(new LiteralPart(text.ToString(), runEscape, span)));
            text.Clear();
            runStart = -1;
            runEscape = false;
        }

        var k = low;
        if (atWordStart && (mode & WordMode.Tilde) != 0)
        {
            TryEmitTilde(assembly, ref k, high, parts);
        }

        while (k < high)
        {
            var atom = atoms[k];
            if (assembly.Groups is not null && assembly.Groups.TryGetValue(k, out var group))
            {
                Flush();
                parts.Add(EmitBrace(assembly, k, group, atWordStart && k == low));
                k = group.Close + 1;
                continue;
            }

            if (atom.Kind == AtomKind.Part)
            {
                Flush();
                parts.Add(atom.Part!);
                k++;
                continue;
            }

            var isGlob = assembly.IsGlob(k);
            if (runStart >= 0 && isGlob != runIsGlob)
            {
                Flush();
            }

            if (runStart < 0)
            {
                runStart = atom.Start;
                runIsGlob = isGlob;
            }

            if (atom.Kind == AtomKind.Run)
            {
                text.Append(_src.AsSpan(atom.Start, atom.End - atom.Start));
            }
            else
            {
                if (isGlob && atom.Kind == AtomKind.Escaped)
                {
                    // Inside a bracket expression the escape still matters to the pattern.
                    text.Append('\\');
                }

                text.Append(atom.Ch);
            }

            runEnd = atom.End;
            runEscape |= atom.HadEscape || atom.Kind == AtomKind.Escaped;
            k++;
            if ((mode & WordMode.TildeAfterColon) != 0 && atom.Kind == AtomKind.Char && atom.Ch == ':'
                && k < high && atoms[k].Kind == AtomKind.Char && atoms[k].Ch == '~')
            {
                Flush();
                TryEmitTilde(assembly, ref k, high, parts);
            }
        }

        Flush();
        return parts;
    }

    /// <summary>A tilde prefix: <c>~</c> and unquoted characters up to <c>/</c> (or <c>:</c> in assignments).</summary>
    private void TryEmitTilde(WordAssembly assembly, ref int k, int high, List<WordPart> parts)
    {
        var atoms = _ctx.Atoms;
        if (k >= high || atoms[k].Kind != AtomKind.Char || atoms[k].Ch != '~' || assembly.IsStructural(k))
        {
            return;
        }

        var stopAtColon = (assembly.Mode & WordMode.TildeAfterColon) != 0;
        var user = new StringBuilder();
        var j = k + 1;
        while (j < high)
        {
            var atom = atoms[j];
            if (atom.Kind == AtomKind.Char && (atom.Ch == '/' || (stopAtColon && atom.Ch == ':')))
            {
                break;
            }

            if (atom.Kind == AtomKind.Run)
            {
                user.Append(_src.AsSpan(atom.Start, atom.End - atom.Start));
            }
            else if (atom.Kind == AtomKind.Char && !assembly.IsStructural(j) && !assembly.IsGlob(j))
            {
                user.Append(atom.Ch);
            }
            else
            {
                // A quoted or expanded character in the prefix: bash does no tilde expansion.
                return;
            }

            j++;
        }

        parts.Add(Track(new TildePart(user.ToString(), Span(atoms[k].Start, atoms[j - 1].End))));
        k = j;
    }

    private WordPart EmitBrace(WordAssembly assembly, int open, BraceSpec group, bool atWordStart)
    {
        var atoms = _ctx.Atoms;
        var span = Span(atoms[open].Start, atoms[group.Close].End);
        if (group.Commas is null)
        {
            return Track(new BraceRangePart(group.From!, group.To!, group.Step, span));
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Error(ParseDiagnosticKind.DepthLimit, "brace expansion nested too deeply", atoms[open].Start, atoms[group.Close].End);
            return Track(new LiteralPart(OriginalText(span), false, span));
        }

        var alternatives = new List<Word>(group.Commas.Count + 1);
        var previous = open;
        for (var i = 0; i <= group.Commas.Count; i++)
        {
            var boundary = i < group.Commas.Count ? group.Commas[i] : group.Close;
            var low = previous + 1;
            if (low < boundary)
            {
                var parts = EmitParts(assembly, low, boundary, atWordStart);
                alternatives.Add(Track(new Word(parts, Span(atoms[low].Start, atoms[boundary - 1].End))));
            }
            else
            {
                alternatives.Add(Track(new Word([], Span(atoms[boundary].Start, atoms[boundary].Start))));
            }

            previous = boundary;
        }

        return Track(new BraceExpansionPart(alternatives, span));
    }
}
