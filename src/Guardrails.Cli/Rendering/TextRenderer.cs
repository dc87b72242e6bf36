using System.Globalization;
using System.Text;

namespace Guardrails.Cli.Rendering;

/// <summary>
/// Explains a decision to a person: the verdict line, then one block per finding with the command and the evidence
/// underlined.
/// </summary>
/// <remarks>
/// <code>
/// DENY (score 100) under builtin:default@0123456789abcdef
///   x replica.launch.detached [replica.launch] starts an inference server or a replica of the agent detached from the agent
///       nohup vllm serve /models/qwen --port 8001 &amp;
///       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
/// </code>
/// Markers: <c>x</c> deny, <c>!</c> escalate, <c>-</c> score only (<c>✗</c>, <c>!</c>, <c>·</c> with colours on a
/// terminal). Control characters of the command are shown as <c>?</c> so that a command cannot drive the terminal.
/// </remarks>
internal sealed class TextRenderer
{
    /// <summary>The widest command excerpt shown; longer lines are cut around the evidence.</summary>
    public const int MaxExcerptWidth = 120;

    private const string Indent = "  ";
    private const string SourceIndent = "      ";
    private const string Ellipsis = "...";
    private const string Reset = "\e[0m";
    private const string Red = "\e[31m";
    private const string Yellow = "\e[33m";
    private const string Green = "\e[32m";
    private const string Bold = "\e[1m";

    private readonly bool _styled;

    /// <summary>Initializes a new <see cref="TextRenderer"/>.</summary>
    /// <param name="styled">Whether to use ANSI colours and Unicode markers.</param>
    public TextRenderer(bool styled) => _styled = styled;

    /// <summary>Writes the explanation of <paramref name="decision"/>.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="argument">The name of the argument the command was passed in, for example <c>command</c>.</param>
    /// <param name="command">The command text the evidence spans refer to.</param>
    /// <param name="output">Where to write.</param>
    public void Write(Decision decision, string argument, string command, TextWriter output)
    {
        var header = new StringBuilder();
        header.Append(Style(decision.Verdict.ToString().ToUpperInvariant(), Bold + Colour(decision.Verdict)))
            .Append(CultureInfo.InvariantCulture, $" (score {decision.Score}) under ")
            .Append(decision.PolicyVersion.Length == 0 ? decision.PolicyName : $"{decision.PolicyName}@{decision.PolicyVersion}");
        if (decision.ShadowVerdict is { } shadow)
        {
            header.Append(" (audit mode: an enforcing policy would ").Append(shadow.ToString().ToUpperInvariant()).Append(')');
        }

        output.WriteLine(header.ToString());
        if (decision.Error is not null)
        {
            output.WriteLine($"{Indent}error: {Sanitize(decision.Error)}");
        }

        if (decision.Findings.Count == 0)
        {
            output.WriteLine($"{Indent}no findings");
            return;
        }

        foreach (var finding in decision.Findings)
        {
            WriteFinding(finding, argument, command, output);
        }
    }

    /// <summary>Writes the block of one finding: marker, rule id, capability, message, and the evidence underlined.</summary>
    /// <param name="finding">The finding.</param>
    /// <param name="argument">The name of the argument that holds <paramref name="command"/>.</param>
    /// <param name="command">The command text the evidence span refers to.</param>
    /// <param name="output">Where to write.</param>
    public void WriteFinding(Finding finding, string argument, string command, TextWriter output)
    {
        var marker = Style(Marker(finding.Effect), Colour(finding.Effect));
        output.WriteLine($"{Indent}{marker} {finding.RuleId} [{finding.Capability}] {Sanitize(finding.Message)}");
        WriteEvidence(finding.Evidence, argument, command, output);
    }

    private void WriteEvidence(Evidence evidence, string argument, string command, TextWriter output)
    {
        var span = evidence.Span;
        if (string.Equals(evidence.Source, argument, StringComparison.Ordinal) && span.Start >= 0 && span.Start <= command.Length)
        {
            if (span.Length == 0 && evidence.Operation is null)
            {
                return; // about the call as a whole: nothing to point at
            }

            WriteExcerpt(command, span.Start, Math.Min(span.End, command.Length), output);
        }
        else if (evidence.Text.Length > 0)
        {
            // The span refers to another argument, which check does not have: show the evidence text itself.
            var text = evidence.Text.Split('\n')[0].TrimEnd('\r');
            output.WriteLine($"{SourceIndent}{Sanitize(Crop(text))}");
        }
    }

    private void WriteExcerpt(string command, int start, int end, TextWriter output)
    {
        var shown = false;
        var lineStart = 0;
        while (lineStart <= command.Length)
        {
            var newline = command.IndexOf('\n', lineStart);
            var lineEnd = newline < 0 ? command.Length : newline;
            var from = Math.Max(start, lineStart);
            var to = Math.Min(end, lineEnd);
            var covers = from < to || (start == end && start >= lineStart && start <= lineEnd);
            if (covers)
            {
                var text = command[lineStart..lineEnd];
                var visible = text.EndsWith('\r') ? text[..^1] : text;
                WriteLineWithCarets(visible, from - lineStart, Math.Min(to - lineStart, visible.Length), output);
                shown = true;
                if (start == end)
                {
                    return;
                }
            }
            else if (shown || lineStart > end)
            {
                return;
            }

            if (newline < 0)
            {
                return;
            }

            lineStart = newline + 1;
        }
    }

    private void WriteLineWithCarets(string line, int from, int to, TextWriter output)
    {
        // Cut long lines to a window that starts a little before the evidence.
        var windowStart = 0;
        var windowEnd = line.Length;
        if (line.Length > MaxExcerptWidth)
        {
            windowStart = Math.Clamp(from - 20, 0, line.Length - MaxExcerptWidth);
            windowEnd = windowStart + MaxExcerptWidth;
        }

        var prefix = windowStart > 0 ? Ellipsis : string.Empty;
        var suffix = windowEnd < line.Length ? Ellipsis : string.Empty;
        var excerpt = line[windowStart..windowEnd];
        output.WriteLine($"{SourceIndent}{prefix}{Sanitize(excerpt)}{suffix}");

        var caretFrom = Math.Clamp(from - windowStart, 0, excerpt.Length);
        var caretTo = Math.Clamp(to - windowStart, caretFrom, excerpt.Length);
        if (caretTo == caretFrom)
        {
            return; // an empty span: nothing to underline
        }

        var carets = new StringBuilder(SourceIndent).Append(' ', prefix.Length);
        for (var i = 0; i < caretFrom; i++)
        {
            if (!char.IsLowSurrogate(excerpt[i]))
            {
                carets.Append(excerpt[i] == '\t' ? '\t' : ' '); // keep tabs so the carets line up
            }
        }

        var count = 0;
        for (var i = caretFrom; i < caretTo; i++)
        {
            if (!char.IsLowSurrogate(excerpt[i]))
            {
                count++;
            }
        }

        output.WriteLine(carets.Append(Style(new string('^', count), Red)).ToString());
    }

    private static string Crop(string text) => text.Length <= MaxExcerptWidth ? text : text[..MaxExcerptWidth] + Ellipsis;

    private static string Sanitize(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c == '\t' || (c >= ' ' && (c < '\u007f' || c > '\u009f')) ? c : '?';
            }
        });
    }

    private string Marker(Verdict effect) => effect switch
    {
        Verdict.Deny => _styled ? "✗" : "x",
        Verdict.Escalate => "!",
        _ => _styled ? "·" : "-",
    };

    private static string Colour(Verdict verdict) => verdict switch
    {
        Verdict.Deny => Red,
        Verdict.Escalate => Yellow,
        _ => Green,
    };

    private string Style(string text, string style) => _styled ? style + text + Reset : text;
}
