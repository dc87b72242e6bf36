using System.Text;

namespace Guardrails.Shell;

/// <summary>One field of an expanded word: its text, whether the text is fully known, and where it came from.</summary>
/// <param name="Text">The text; for unknown parts, a display spelling such as <c>$VAR</c>.</param>
/// <param name="Known">Whether every part of the text is known before execution.</param>
/// <param name="Span">The span of the word in the tool-call argument.</param>
internal sealed record Field(string Text, bool Known, TextSpan Span);

/// <summary>
/// Accumulates the fields of one word during expansion: concatenation, word splitting of unquoted expansions, and the
/// cartesian product of brace expansions, within a budget.
/// </summary>
internal sealed class FieldBuilder
{
    private List<(StringBuilder Text, bool Known)> _current = [(new StringBuilder(), true)];
    private readonly List<(string Text, bool Known)> _done = [];
    private bool _quoted;

    /// <summary>Gets a value indicating whether fields were dropped because the budget ran out.</summary>
    public bool Truncated { get; private set; }

    public void MarkQuoted()
    {
        _quoted = true;
    }

    public void Append(string text)
    {
        foreach (var (builder, _) in _current)
        {
            builder.Append(text);
        }
    }

    public void AppendUnknown(string display)
    {
        for (var i = 0; i < _current.Count; i++)
        {
            _current[i].Text.Append(display);
            _current[i] = (_current[i].Text, false);
        }
    }

    /// <summary>Appends an unquoted expansion whose value contains separators: bash splits it into several fields.</summary>
    public void AppendSplit(string value)
    {
        var pieces = value.Split([' ', '\t', '\n'], StringSplitOptions.None);
        for (var p = 0; p < pieces.Length; p++)
        {
            if (p > 0)
            {
                // Close the current fields and start new ones.
                foreach (var (builder, known) in _current)
                {
                    if (builder.Length > 0 || _quoted)
                    {
                        _done.Add((builder.ToString(), known));
                    }
                }

                _current = [(new StringBuilder(), true)];
                _quoted = false;
            }

            Append(pieces[p]);
        }
    }

    /// <summary>Continues every current field with each alternative (brace expansion).</summary>
    public void Branch(List<Field> alternatives)
    {
        if (alternatives.Count == 0)
        {
            return;
        }

        var next = new List<(StringBuilder, bool)>();
        foreach (var (builder, known) in _current)
        {
            foreach (var alternative in alternatives)
            {
                if (next.Count >= 256)
                {
                    Truncated = true;
                    break;
                }

                next.Add((new StringBuilder(builder.ToString()).Append(alternative.Text), known && alternative.Known));
            }
        }

        _current = next;
    }

    public List<Field> Finish(TextSpan span, int maxFields)
    {
        var result = new List<Field>();
        foreach (var (text, known) in _done)
        {
            if (result.Count < maxFields)
            {
                result.Add(new Field(text, known, span));
            }
            else
            {
                Truncated = true;
            }
        }

        foreach (var (builder, known) in _current)
        {
            // An unquoted expansion to nothing disappears, as in bash; anything quoted or unknown stays a field.
            if (builder.Length > 0 || _quoted || !known)
            {
                if (result.Count < maxFields)
                {
                    result.Add(new Field(builder.ToString(), known, span));
                }
                else
                {
                    Truncated = true;
                }
            }
        }

        return result;
    }
}
