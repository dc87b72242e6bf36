namespace Guardrails.Testing;

/// <summary>Finds test files and policies named relative to a test project.</summary>
internal static class TestFiles
{
    /// <summary>
    /// Resolves <paramref name="path"/>: an absolute path as is; else the first existing match relative to the test's
    /// output directory, the current directory, or a directory above the output directory; else relative to the output
    /// directory (so the error names a sensible place).
    /// </summary>
    public static string Resolve(string path)
    {
        if (Path.IsPathFullyQualified(path))
        {
            return path;
        }

        var baseDirectory = AppContext.BaseDirectory;
        foreach (var candidate in new[] { Path.Combine(baseDirectory, path), Path.GetFullPath(path) })
        {
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        for (var directory = Directory.GetParent(baseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, path);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return Path.GetFullPath(Path.Combine(baseDirectory, path));
    }
}
