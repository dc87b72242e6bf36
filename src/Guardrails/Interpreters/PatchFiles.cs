using System.Text;
using Guardrails.Actions;

namespace Guardrails.Interpreters;

/// <summary>
/// Reads the files a patch changes, for edit tools that take a patch instead of a path: the envelope of Codex's
/// <c>apply_patch</c> (<c>*** Add File:</c>, <c>*** Update File:</c>, <c>*** Delete File:</c>, <c>*** Move to:</c>)
/// and unified diffs (<c>--- a/…</c> / <c>+++ b/…</c>, <c>/dev/null</c> for created and deleted files). Each file becomes
/// a write (with the added lines as its content), a delete or a move, so the policy judges the paths and the new text.
/// </summary>
internal static class PatchFiles
{
    private const string DevNull = "/dev/null";

    /// <summary>Adds one operation per file the patch in the tool's content argument changes.</summary>
    /// <returns><see langword="true"/> when the content argument is a patch that names at least one file.</returns>
    public static bool Interpret(InterpretationContext context)
    {
        if (!context.TryGetString("content", out var patch, out var source) || patch.Length == 0)
        {
            return false;
        }

        var files = new List<PatchedFile>();
        PatchedFile? current = null;
        string? minus = null;
        var minusAt = 0;
        var offset = 0;
        foreach (var rawLine in patch.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var at = offset;
            offset += rawLine.Length + 1;
            if (Header(line, "*** Add File: ") is { } added)
            {
                files.Add(current = new PatchedFile(FileAction.Write, added, at + line.Length - added.Length));
            }
            else if (Header(line, "*** Update File: ") is { } updated)
            {
                files.Add(current = new PatchedFile(FileAction.Write, updated, at + line.Length - updated.Length));
            }
            else if (Header(line, "*** Delete File: ") is { } deleted)
            {
                files.Add(new PatchedFile(FileAction.Delete, deleted, at + line.Length - deleted.Length));
                current = null;
            }
            else if (Header(line, "*** Move to: ") is { } target && current is not null)
            {
                current.MovedFrom = current.Path;
                current.Path = target;
                current.PathAt = at + line.Length - target.Length;
            }
            else if (line.StartsWith("--- ", StringComparison.Ordinal))
            {
                minus = DiffPath(line[4..], "a/");
                minusAt = at + 4;
                current = null;
            }
            else if (line.StartsWith("+++ ", StringComparison.Ordinal) && minus is not null)
            {
                var plus = DiffPath(line[4..], "b/");
                files.Add(current = plus == DevNull
                    ? new PatchedFile(FileAction.Delete, minus, minusAt)
                    : new PatchedFile(FileAction.Write, plus, at + 4) { MovedFrom = minus != DevNull && minus != plus ? minus : null });
                minus = null;
            }
            else if (current is not null && line.StartsWith('+'))
            {
                current.Content.Append(line, 1, line.Length - 1).Append('\n');
            }
        }

        foreach (var file in files)
        {
            var span = new TextSpan(Math.Min(file.PathAt, patch.Length), Math.Min(file.Path.Length, Math.Max(0, patch.Length - file.PathAt)));
            if (file.MovedFrom is { } from)
            {
                context.Sink.Add(new FileOperation(FileAction.Move, context.Normalize(file.Path))
                {
                    Sources = [context.Normalize(from)],
                    Program = context.Call.Name,
                    Source = source,
                    Span = span,
                });
            }

            context.Sink.Add(new FileOperation(file.Action, context.Normalize(file.Path))
            {
                Content = file.Action == FileAction.Write ? file.Content.ToString() : null,
                Program = context.Call.Name,
                Source = source,
                Span = span,
            });
        }

        return files.Count > 0;
    }

    private static string? Header(string line, string prefix) =>
        line.StartsWith(prefix, StringComparison.Ordinal) && line.Length > prefix.Length ? line[prefix.Length..].Trim() : null;

    /// <summary>The path of a <c>---</c>/<c>+++</c> header: without a trailing timestamp, and without git's a/ or b/ prefix.</summary>
    private static string DiffPath(string text, string gitPrefix)
    {
        var tab = text.IndexOf('\t', StringComparison.Ordinal);
        var path = (tab >= 0 ? text[..tab] : text).Trim();
        return path.StartsWith(gitPrefix, StringComparison.Ordinal) && path.Length > gitPrefix.Length ? path[gitPrefix.Length..] : path;
    }

    private sealed class PatchedFile(FileAction action, string path, int pathAt)
    {
        public FileAction Action { get; } = action;

        public string Path { get; set; } = path;

        public int PathAt { get; set; } = pathAt;

        public string? MovedFrom { get; set; }

        public StringBuilder Content { get; } = new();
    }
}
