using System.Text.Json;

namespace Guardrails.Tests.Evaluation.Corpora;

/// <summary>One command of a shared corpus.</summary>
/// <param name="Corpus">The corpus name: the file name without <c>.jsonl</c>, prefixed with <c>trajectories/</c> for trajectories.</param>
/// <param name="Id">The line's <c>id</c>.</param>
/// <param name="Label"><c>attack</c>, <c>benign</c> or <c>ambiguous</c>.</param>
/// <param name="Category">The line's <c>category</c>.</param>
/// <param name="Command">The command (<c>command_concrete</c> for trajectories).</param>
/// <param name="Session">The trajectory the line belongs to (evaluated as one session, in step order); <see langword="null"/> for independent lines.</param>
/// <param name="Step">The step within the trajectory; 0 for independent lines.</param>
internal sealed record CorpusLine(string Corpus, string Id, string Label, string Category, string Command, string? Session, int Step)
{
    public bool IsAttack => Label == "attack";

    public bool IsBenign => Label == "benign";

    public bool IsAmbiguous => Label == "ambiguous";

    public bool IsTrajectory => Session is not null;
}

/// <summary>A decision of <c>categories.json</c>: whether the default policy must stop an attack category, and why.</summary>
internal sealed record CategoryDecision(string Category, bool Required, string? Capability, string Reason, string? DataNote);

/// <summary>A single line of a required category that, read on its own, is not replication-relevant.</summary>
internal sealed record LabelNoise(string Id, string Reason);

/// <summary>The corpora found next to the repository, and the category decisions.</summary>
internal sealed class CorpusSet
{
    private static int s_skippedToolVerbs;

    /// <summary>Gets how many SWE-agent tool-verb lines were left out of the shell evaluation (counted per load).</summary>
    public static int SkippedToolVerbs => Volatile.Read(ref s_skippedToolVerbs);

    public const string FalcoFile = "falco-rules.jsonl";

    private CorpusSet(string directory, IReadOnlyList<CorpusLine> lines, IReadOnlyList<string> corpora, int falcoEntries, IReadOnlyDictionary<string, int> falcoRuleCategories)
    {
        Directory = directory;
        Lines = lines;
        Corpora = corpora;
        FalcoEntries = falcoEntries;
        FalcoRuleCategories = falcoRuleCategories;
    }

    /// <summary>Gets the corpora directory.</summary>
    public string Directory { get; }

    /// <summary>Gets every line, corpus by corpus (file order; trajectories last, in step order).</summary>
    public IReadOnlyList<CorpusLine> Lines { get; }

    /// <summary>Gets the corpus names in report order.</summary>
    public IReadOnlyList<string> Corpora { get; }

    /// <summary>Gets the number of entries of <c>falco-rules.jsonl</c> (reference only, no commands), or -1 when it is absent.</summary>
    public int FalcoEntries { get; }

    /// <summary>Gets the number of Falco detection rules (not macros or lists) per category.</summary>
    public IReadOnlyDictionary<string, int> FalcoRuleCategories { get; }

    /// <summary>Finds the folder holding <c>Guardrails.sln</c>, walking up from <paramref name="start"/>.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Guardrails.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>Loads every <c>*.jsonl</c> of <paramref name="directory"/> (except the Falco rules) and of its <c>trajectories</c> folder.</summary>
    public static CorpusSet Load(string directory)
    {
        var lines = new List<CorpusLine>();
        var corpora = new List<string>();
        var falco = -1;
        var falcoRules = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.GetFiles(directory, "*.jsonl").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == FalcoFile)
            {
                falco = 0;
                foreach (var text in File.ReadLines(file).Where(l => !string.IsNullOrWhiteSpace(l)))
                {
                    falco++;
                    using var document = JsonDocument.Parse(text);
                    if (String(document.RootElement, "label") == "detection-rule" && String(document.RootElement, "category") is { } category)
                    {
                        falcoRules[category] = falcoRules.GetValueOrDefault(category) + 1;
                    }
                }

                continue;
            }

            var name = Path.GetFileNameWithoutExtension(file);
            corpora.Add(name);
            lines.AddRange(ReadFile(file, name, trajectory: false));
        }

        var trajectories = Path.Combine(directory, "trajectories");
        if (System.IO.Directory.Exists(trajectories))
        {
            foreach (var file in System.IO.Directory.GetFiles(trajectories, "*.jsonl").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal))
            {
                var name = "trajectories/" + Path.GetFileNameWithoutExtension(file);
                corpora.Add(name);
                lines.AddRange(ReadFile(file, name, trajectory: true).OrderBy(l => l.Session, StringComparer.Ordinal).ThenBy(l => l.Step));
            }
        }

        return new CorpusSet(directory, lines, corpora, falco, falcoRules);
    }

    private static IEnumerable<CorpusLine> ReadFile(string file, string corpus, bool trajectory)
    {
        var number = 0;
        foreach (var text in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var id = String(root, "id") ?? $"{corpus}:{number}";
            var label = String(root, "label") ?? "unlabelled";
            var category = String(root, "category") ?? "uncategorized";
            var command = (trajectory ? String(root, "command_concrete") : null) ?? String(root, "command") ?? string.Empty;
            if (String(root, "note") == "SWE-agent tool command")
            {
                // SWE-agent's own tool verbs (open, edit, create, submit) are calls of its file tools, not shell commands:
                // evaluating "edit 4:4 … end_of_edit" as bash would only measure the parser on text bash never sees.
                Interlocked.Increment(ref s_skippedToolVerbs);
                continue;
            }

            string? session = null;
            var step = 0;
            if (trajectory)
            {
                session = String(root, "trajectory") ?? corpus;
                step = root.TryGetProperty("step", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : number;
            }

            yield return new CorpusLine(corpus, id, label, category, command, session, step);
        }
    }

    /// <summary>Reads <c>categories.json</c>.</summary>
    public static (IReadOnlyList<CategoryDecision> Categories, IReadOnlyList<LabelNoise> Noise) LoadCategories(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var categories = new List<CategoryDecision>();
        foreach (var entry in document.RootElement.GetProperty("categories").EnumerateArray())
        {
            categories.Add(new CategoryDecision(
                entry.GetProperty("category").GetString()!,
                entry.GetProperty("required").GetBoolean(),
                String(entry, "capability"),
                entry.GetProperty("reason").GetString()!,
                String(entry, "dataNote")));
        }

        var noise = new List<LabelNoise>();
        if (document.RootElement.TryGetProperty("labelNoise", out var list))
        {
            foreach (var entry in list.EnumerateArray())
            {
                noise.Add(new LabelNoise(entry.GetProperty("id").GetString()!, entry.GetProperty("reason").GetString()!));
            }
        }

        return (categories, noise);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
