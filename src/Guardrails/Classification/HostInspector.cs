namespace Guardrails.Classification;

/// <summary>
/// Looks at the real filesystem for the host-aware mode: resolves symbolic links, expands globs, and finds whether a
/// directory contains files of a kind (weights). Bounded in entries and depth, and never throws: a path that cannot be
/// inspected simply adds nothing, so lexical classification (which always runs) still applies.
/// </summary>
internal static class HostInspector
{
    public const int MaxEntries = 20_000;
    public const int MaxDepth = 16;
    public const int MaxGlobMatches = 1_000;
    private const int MaxLinks = 40;

    /// <summary>Resolves every symbolic link on <paramref name="path"/>, like realpath(3); returns the path unchanged when nothing resolves.</summary>
    public static string RealPath(string path)
    {
        if (!path.StartsWith('/'))
        {
            return path;
        }

        try
        {
            var resolved = "/";
            var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
            var links = 0;
            while (pending.Count > 0)
            {
                var segment = pending.Pop();
                if (segment == ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    resolved = Path.GetDirectoryName(resolved) ?? "/";
                    continue;
                }

                var candidate = resolved == "/" ? "/" + segment : resolved + "/" + segment;
                var info = new FileInfo(candidate);
                if (info.LinkTarget is { } target && ++links <= MaxLinks)
                {
                    foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    {
                        pending.Push(part);
                    }

                    if (target.StartsWith('/'))
                    {
                        resolved = "/";
                    }

                    continue;
                }

                resolved = candidate;
            }

            return resolved;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return path;
        }
    }

    /// <summary>Expands a path with wildcards in its last segments against the filesystem (bounded).</summary>
    public static IReadOnlyList<string> ExpandGlob(string pattern)
    {
        var wildcard = pattern.AsSpan().IndexOfAny("*?[");
        if (wildcard < 0 || !pattern.StartsWith('/'))
        {
            return [];
        }

        var slash = pattern.LastIndexOf('/', wildcard);
        var directory = slash <= 0 ? "/" : pattern[..slash];
        var rest = pattern[(slash + 1)..];
        var glob = Policies.Glob.Compile(rest);
        var results = new List<string>();
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = rest.Contains('/', StringComparison.Ordinal), MaxRecursionDepth = MaxDepth, IgnoreInaccessible = true, AttributesToSkip = 0 };
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", options))
            {
                if (results.Count >= MaxGlobMatches)
                {
                    break;
                }

                var relative = entry.Length > directory.Length ? entry[(directory.TrimEnd('/').Length + 1)..] : string.Empty;
                if (glob.IsMatch(relative))
                {
                    results.Add(entry);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException)
        {
            // Inspection is best effort; lexical classification still applies.
        }

        return results;
    }

    /// <summary>Determines whether <paramref name="directory"/> (or a directory below it) holds a file that <paramref name="isMatch"/> accepts.</summary>
    public static bool ContainsFile(string directory, Func<string, bool> isMatch)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                return false;
            }

            var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = MaxDepth, IgnoreInaccessible = true, AttributesToSkip = 0 };
            var seen = 0;
            foreach (var file in Directory.EnumerateFiles(directory, "*", options))
            {
                if (++seen > MaxEntries)
                {
                    return false;
                }

                if (isMatch(file))
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException)
        {
            // Best effort, see above.
        }

        return false;
    }
}
