using System.Text;

namespace Guardrails.Classification;

/// <summary>
/// Turns a path as an agent wrote it into the canonical absolute form that catalogs match against, so that
/// <c>~/x</c>, <c>$HOME/x</c>, <c>/home/a/./x</c>, <c>//home/a/x</c> and <c>/proc/self/root/home/a/x</c> all compare equal.
/// </summary>
/// <remarks>Purely lexical: symbolic links are not resolved (that needs the host-aware mode).</remarks>
internal static class PathNormalizer
{
    /// <summary>Normalizes <paramref name="path"/>; relative paths resolve against <paramref name="workingDirectory"/> when it is absolute.</summary>
    public static string Normalize(string path, string? workingDirectory, string homeDirectory)
    {
        if (string.IsNullOrEmpty(path))
        {
            return path;
        }

        var expanded = ExpandHome(path.Replace('\\', '/'), homeDirectory);
        if (!expanded.StartsWith('/'))
        {
            var cwd = workingDirectory is { Length: > 0 } ? ExpandHome(workingDirectory.Replace('\\', '/'), homeDirectory) : null;
            if (cwd is null || !cwd.StartsWith('/'))
            {
                return CollapseRelative(expanded);
            }

            expanded = cwd + "/" + expanded;
        }

        var collapsed = Collapse(expanded);
        return StripProcSelf(collapsed, workingDirectory, homeDirectory);
    }

    private static string ExpandHome(string path, string home)
    {
        if (path[0] != '~')
        {
            return path;
        }

        if (path.Length == 1 || path[1] == '/')
        {
            return home + path[1..];
        }

        // ~user/...: another user's home; the exact location is unknowable, /home/user is the common layout.
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var user = slash < 0 ? path[1..] : path[1..slash];
        var rest = slash < 0 ? string.Empty : path[slash..];
        return (user == "root" ? "/root" : "/home/" + user) + rest;
    }

    private static string StripProcSelf(string path, string? workingDirectory, string home)
    {
        // /proc/self/root is the process's root directory and /proc/self/cwd its working directory; agents use both
        // to dodge path matching. /dev/fd/N and /proc/self/fd/N are opaque and stay as they are.
        const string Root = "/proc/self/root";
        const string Cwd = "/proc/self/cwd";
        if (path.StartsWith(Root, StringComparison.Ordinal) && (path.Length == Root.Length || path[Root.Length] == '/'))
        {
            var rest = path[Root.Length..];
            return rest.Length == 0 ? "/" : Normalize(rest, null, home);
        }

        if (path.StartsWith(Cwd, StringComparison.Ordinal) && (path.Length == Cwd.Length || path[Cwd.Length] == '/')
            && workingDirectory is { Length: > 0 } && workingDirectory.StartsWith('/'))
        {
            var rest = path[Cwd.Length..].TrimStart('/');
            return Normalize(rest.Length == 0 ? "." : rest, workingDirectory, home);
        }

        return path;
    }

    private static string Collapse(string path)
    {
        if (IsCollapsed(path))
        {
            return path;
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            return "/";
        }

        var builder = new StringBuilder(path.Length);
        foreach (var segment in segments)
        {
            builder.Append('/').Append(segment);
        }

        return builder.ToString();
    }

    /// <summary>Determines whether an absolute path is already in collapsed form (no empty, <c>.</c> or <c>..</c> segment, no trailing slash).</summary>
    private static bool IsCollapsed(string path)
    {
        if (path == "/")
        {
            return true;
        }

        if (path.Length < 2 || path[0] != '/' || path[^1] == '/')
        {
            return false;
        }

        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                continue;
            }

            var length = i - segmentStart;
            if (length == 0 || (path[segmentStart] == '.' && (length == 1 || (length == 2 && path[segmentStart + 1] == '.'))))
            {
                return false;
            }

            segmentStart = i + 1;
        }

        return true;
    }

    private static string CollapseRelative(string path)
    {
        var collapsed = Collapse("/" + path);
        return collapsed == "/" ? "." : collapsed[1..];
    }

    /// <summary>Determines whether <paramref name="path"/> equals <paramref name="directory"/> or lies below it.</summary>
    public static bool IsAtOrBelow(string path, string directory)
    {
        if (directory == "/")
        {
            return path.StartsWith('/');
        }

        return path.StartsWith(directory, StringComparison.Ordinal)
            && (path.Length == directory.Length || path[directory.Length] == '/');
    }

    /// <summary>Gets the file name (last segment) of a normalized path.</summary>
    public static ReadOnlySpan<char> FileName(string path)
    {
        var span = path.AsSpan().TrimEnd('/');
        var slash = span.LastIndexOf('/');
        return slash < 0 ? span : span[(slash + 1)..];
    }
}
