using System.Text;

namespace Guardrails.Shell;

/// <summary>One field of an expanded word: its text, whether the text is fully known, and where it came from.</summary>
/// <param name="Text">The text; for unknown parts, a display spelling such as <c>$VAR</c>.</param>
/// <param name="Known">Whether every part of the text is known before execution.</param>
/// <param name="Span">The span of the word in the tool-call argument.</param>
internal readonly record struct Field(string Text, bool Known, TextSpan Span);

/// <summary>
/// Accumulates the fields of one word during expansion: concatenation, word splitting of unquoted expansions, and the
/// cartesian product of brace expansions, within a budget.
/// </summary>
/// <remarks>
/// Almost every word builds exactly one field from one or two pieces, so that case keeps the text as a string and
/// only takes a <see cref="StringBuilder"/> when a second piece arrives; the list of fields exists only after a brace
/// expansion.
/// </remarks>
internal sealed class FieldBuilder
{
    // Several current fields (after a brace expansion); null while there is one, held in _text/_builder/_known.
    private List<(StringBuilder Text, bool Known)>? _branches;
    private string? _text;
    private StringBuilder? _builder;
    private bool _known = true;
    private List<(string Text, bool Known)>? _done;
    private bool _quoted;

    /// <summary>Gets a value indicating whether fields were dropped because the budget ran out.</summary>
    public bool Truncated { get; private set; }

    public void MarkQuoted()
    {
        _quoted = true;
    }

    public void Append(string text)
    {
        if (_branches is null)
        {
            AppendSingle(text);
            return;
        }

        foreach (var (builder, _) in _branches)
        {
            builder.Append(text);
        }
    }

    public void AppendUnknown(string display)
    {
        if (_branches is null)
        {
            AppendSingle(display);
            _known = false;
            return;
        }

        for (var i = 0; i < _branches.Count; i++)
        {
            _branches[i].Text.Append(display);
            _branches[i] = (_branches[i].Text, false);
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
                if (_branches is null)
                {
                    if (SingleLength > 0 || _quoted)
                    {
                        (_done ??= []).Add((SingleText(), _known));
                    }
                }
                else
                {
                    foreach (var (builder, known) in _branches)
                    {
                        if (builder.Length > 0 || _quoted)
                        {
                            (_done ??= []).Add((builder.ToString(), known));
                        }
                    }

                    _branches = null;
                }

                _text = null;
                _builder = null;
                _known = true;
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

        var current = _branches ?? [(new StringBuilder(SingleText()), _known)];
        var next = new List<(StringBuilder, bool)>();
        foreach (var (builder, known) in current)
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

        _branches = next;
    }

    /// <summary>Adds the finished fields to <paramref name="result"/>, at most <paramref name="maxFields"/> of them.</summary>
    public void Finish(TextSpan span, int maxFields, List<Field> result)
    {
        var added = 0;
        foreach (var (text, known) in _done ?? [])
        {
            Add(new Field(text, known, span));
        }

        if (_branches is null)
        {
            // An unquoted expansion to nothing disappears, as in bash; anything quoted or unknown stays a field.
            if (SingleLength > 0 || _quoted || !_known)
            {
                Add(new Field(SingleText(), _known, span));
            }

            return;
        }

        foreach (var (builder, known) in _branches)
        {
            if (builder.Length > 0 || _quoted || !known)
            {
                Add(new Field(builder.ToString(), known, span));
            }
        }

        void Add(Field field)
        {
            if (added < maxFields)
            {
                result.Add(field);
                added++;
            }
            else
            {
                Truncated = true;
            }
        }
    }

    private int SingleLength => _builder?.Length ?? _text?.Length ?? 0;

    private string SingleText() => _builder?.ToString() ?? _text ?? string.Empty;

    private void AppendSingle(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (_builder is not null)
        {
            _builder.Append(text);
        }
        else if (_text is null)
        {
            _text = text;
        }
        else
        {
            _builder = new StringBuilder(_text.Length + text.Length + 16).Append(_text).Append(text);
            _text = null;
        }
    }
}
