using System.Text;
using System.Text.Json;

namespace Guardrails.Fuzzing;

/// <summary>
/// The inputs fuzzing starts from: the committed corpus of a target (<c>Corpus/NAME</c>: hand-written seeds and the
/// regression inputs of every bug the fuzzers found), and for the shell and tool-call targets commands from the shared
/// corpora (<c>../shared/corpora</c> next to the repository), when they are there: every attack command and a fixed
/// sample of the benign ones.
/// </summary>
internal static class SeedCorpus
{
    /// <summary>Gets the folder of the committed corpora, next to the harness.</summary>
    public static string CommittedRoot => Path.Combine(AppContext.BaseDirectory, "Corpus");

    /// <summary>Gets the committed inputs of <paramref name="target"/>, in file name order.</summary>
    public static List<(string Name, byte[] Input)> Committed(FuzzTarget target)
    {
        var directory = Path.Combine(CommittedRoot, target.CorpusName);
        return Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))]
            : [];
    }

    /// <summary>Gets the seeds of <paramref name="target"/>: the committed inputs and up to <paramref name="maxShared"/> from the shared corpora.</summary>
    public static List<byte[]> Seeds(FuzzTarget target, int maxShared)
    {
        var seeds = Committed(target).Select(c => c.Input).ToList();
        var commands = SharedCommands(maxShared);
        seeds.AddRange(target.CorpusName switch
        {
            "shell" => commands.Select(Encoding.UTF8.GetBytes),
            "tool-call" => commands.Select(c => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["tool"] = "bash", ["arguments"] = new Dictionary<string, string> { ["command"] = c } })),
            _ => [],
        });
        return seeds;
    }

    /// <summary>Gets the afl-fuzz dictionary of <paramref name="target"/>.</summary>
    public static string DictionaryPath(FuzzTarget target) => Path.Combine(AppContext.BaseDirectory, "Dictionaries", target.Dictionary);

    private static List<string> SharedCommands(int max)
    {
        var corpora = FindSharedCorpora();
        if (corpora is null || max <= 0)
        {
            return [];
        }

        var attacks = new List<string>();
        var others = new List<string>();
        foreach (var file in Directory.GetFiles(corpora, "*.jsonl").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file))
            {
                try
                {
                    using var document = JsonDocument.Parse(line);
                    if (document.RootElement.TryGetProperty("command", out var command) && command.GetString() is { Length: > 0 } text)
                    {
                        (document.RootElement.TryGetProperty("label", out var label) && label.GetString() == "attack" ? attacks : others).Add(text);
                    }
                }
                catch (JsonException)
                {
                    // Not a corpus line; the shared corpora are read as found.
                }
            }
        }

        // Attacks first, then every k-th other command: a fixed, spread-out sample.
        var take = attacks.Take(max).ToList();
        var step = Math.Max(1, others.Count / Math.Max(1, max - take.Count));
        take.AddRange(others.Where((_, i) => i % step == 0).Take(max - take.Count));
        return take;
    }

    private static string? FindSharedCorpora()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Guardrails.sln")))
            {
                var corpora = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "corpora"));
                return Directory.Exists(corpora) ? corpora : null;
            }
        }

        return null;
    }
}
