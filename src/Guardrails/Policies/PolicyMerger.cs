namespace Guardrails.Policies;

// Folds a chain of policy files (bases first) into one document. The rules, in the order files are applied:
// - scalars (name, description, onError, unknownTools, mode) and each thresholds/limits field: the later file wins
//   when it sets them;
// - lists of values (self.*, catalogs.*, replicationPhrases): concatenated with ordinal de-duplication; an explicitly
//   empty list clears what was inherited ("absent" inherits, "[]" clears, see PolicyDocument);
// - maps (catalogs.resources/programs/pythonModules/hosts): merged key by key with the list rule above;
//   tools[name] is replaced as a whole, because half of one binding and half of another is never what anyone meant;
// - rules: inherited rules keep their order, a rule with an inherited id replaces it in place, new ids append;
//   removeRules drops inherited rules before that.
// Inputs are never mutated: rule and tool objects are shared, every collection is new.
internal static class PolicyMerger
{
    /// <summary>Merges <paramref name="files"/> in order into a new document with <c>extends</c> and <c>removeRules</c> cleared.</summary>
    public static PolicyDocument Merge(IReadOnlyList<(PolicyDocument Document, PolicyFileContext File)> files)
    {
        var merged = new PolicyDocument();
        foreach (var (document, file) in files)
        {
            MergeInto(merged, document, file);
        }

        merged.Schema = null;
        merged.Version = 1;
        merged.Extends = null;
        merged.RemoveRules = null;
        return merged;
    }

    /// <summary>Applies <paramref name="child"/> on top of <paramref name="target"/>; unmatched <c>removeRules</c> ids are reported to <paramref name="file"/>.</summary>
    public static void MergeInto(PolicyDocument target, PolicyDocument child, PolicyFileContext? file)
    {
        target.Name = child.Name ?? target.Name;
        target.Description = child.Description ?? target.Description;
        target.OnError = child.OnError ?? target.OnError;
        target.UnknownTools = child.UnknownTools ?? target.UnknownTools;
        target.Mode = child.Mode ?? target.Mode;

        if (child.Self is { } self)
        {
            var into = target.Self ??= new SelfDocument();
            into.AgentDirectories = Concat(into.AgentDirectories, self.AgentDirectories);
            into.ModelDirectories = Concat(into.ModelDirectories, self.ModelDirectories);
            into.ServingPorts = Concat(into.ServingPorts, self.ServingPorts);
            into.ProcessNames = Concat(into.ProcessNames, self.ProcessNames);
            into.GuardPaths = Concat(into.GuardPaths, self.GuardPaths);
            into.GuardProcesses = Concat(into.GuardProcesses, self.GuardProcesses);
            into.Endpoints = Concat(into.Endpoints, self.Endpoints);
            into.GuardEnvironment = Concat(into.GuardEnvironment, self.GuardEnvironment);
        }

        if (child.Catalogs is { } catalogs)
        {
            var into = target.Catalogs ??= new CatalogsDocument();
            into.Resources = MergeResources(into.Resources, catalogs.Resources);
            into.Programs = MergeLists(into.Programs, catalogs.Programs);
            into.PythonModules = MergeLists(into.PythonModules, catalogs.PythonModules);
            into.Hosts = MergeLists(into.Hosts, catalogs.Hosts);
            into.ReplicationPhrases = Concat(into.ReplicationPhrases, catalogs.ReplicationPhrases);
        }

        if (child.Tools is { } tools)
        {
            var into = target.Tools = target.Tools is null
                ? new Dictionary<string, ToolBindingDocument>(StringComparer.Ordinal)
                : new Dictionary<string, ToolBindingDocument>(target.Tools, StringComparer.Ordinal);
            foreach (var (name, binding) in tools)
            {
                if (binding is not null)
                {
                    into[name] = binding;
                }
            }
        }

        if (child.Thresholds is { } thresholds)
        {
            target.Thresholds = new ThresholdsDocument
            {
                Escalate = thresholds.Escalate ?? target.Thresholds?.Escalate,
                Deny = thresholds.Deny ?? target.Thresholds?.Deny,
            };
        }

        if (child.Limits is { } limits)
        {
            var inherited = target.Limits;
            target.Limits = new LimitsDocument
            {
                MaxInputLength = limits.MaxInputLength ?? inherited?.MaxInputLength,
                MaxOperations = limits.MaxOperations ?? inherited?.MaxOperations,
                MaxNestingDepth = limits.MaxNestingDepth ?? inherited?.MaxNestingDepth,
                MaxDecodedLength = limits.MaxDecodedLength ?? inherited?.MaxDecodedLength,
            };
        }

        MergeRules(target, child, file);
    }

    private static void MergeRules(PolicyDocument target, PolicyDocument child, PolicyFileContext? file)
    {
        if (child.RemoveRules is null && child.Rules is null)
        {
            return;
        }

        var rules = target.Rules is null ? [] : new List<RuleDocument>(target.Rules);
        if (child.RemoveRules is { } remove)
        {
            var inheritedIds = new HashSet<string>(rules.Where(r => r.Id is not null).Select(r => r.Id!), StringComparer.Ordinal);
            var removed = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < remove.Count; i++)
            {
                var id = remove[i];
                if (string.IsNullOrEmpty(id))
                {
                    continue;
                }

                if (inheritedIds.Contains(id))
                {
                    removed.Add(id);
                }
                else
                {
                    file?.Warning("GR2102", JsonPositionIndex.Element("$.removeRules", i),
                        $"removeRules names '{id}', but no base policy defines a rule with that id",
                        PolicyValidator.Suggest(id, inheritedIds) is { } near
                            ? $"Did you mean '{near}'?"
                            : "Check the id against the rules of the policies in \"extends\"; removeRules only removes inherited rules.");
                }
            }

            rules.RemoveAll(r => r.Id is not null && removed.Contains(r.Id));
        }

        if (child.Rules is { } own)
        {
            var positions = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < rules.Count; i++)
            {
                if (rules[i].Id is { } id)
                {
                    positions[id] = i;
                }
            }

            foreach (var rule in own)
            {
                if (rule is null)
                {
                    continue;
                }

                if (rule.Id is not null && positions.TryGetValue(rule.Id, out var position))
                {
                    rules[position] = rule;
                }
                else
                {
                    if (rule.Id is not null)
                    {
                        positions[rule.Id] = rules.Count;
                    }

                    rules.Add(rule);
                }
            }
        }

        target.Rules = rules;
    }

    private static Dictionary<string, ResourceCatalogDocument>? MergeResources(
        Dictionary<string, ResourceCatalogDocument>? target, Dictionary<string, ResourceCatalogDocument>? child)
    {
        if (child is null)
        {
            return target;
        }

        var merged = target is null
            ? new Dictionary<string, ResourceCatalogDocument>(StringComparer.Ordinal)
            : new Dictionary<string, ResourceCatalogDocument>(target, StringComparer.Ordinal);
        foreach (var (kind, catalog) in child)
        {
            if (catalog is null)
            {
                continue;
            }

            merged.TryGetValue(kind, out var inherited);
            merged[kind] = new ResourceCatalogDocument
            {
                Paths = Concat(inherited?.Paths, catalog.Paths),
                Extensions = Concat(inherited?.Extensions, catalog.Extensions),
                Names = Concat(inherited?.Names, catalog.Names),
                ContextExtensions = Concat(inherited?.ContextExtensions, catalog.ContextExtensions),
                ContextDirectories = Concat(inherited?.ContextDirectories, catalog.ContextDirectories),
            };
        }

        return merged;
    }

    private static Dictionary<string, List<string>>? MergeLists(Dictionary<string, List<string>>? target, Dictionary<string, List<string>>? child)
    {
        if (child is null)
        {
            return target;
        }

        var merged = target is null
            ? new Dictionary<string, List<string>>(StringComparer.Ordinal)
            : new Dictionary<string, List<string>>(target, StringComparer.Ordinal);
        foreach (var (name, values) in child)
        {
            if (values is not null)
            {
                merged[name] = Concat(merged.GetValueOrDefault(name), values)!;
            }
        }

        return merged;
    }

    private static List<string>? Concat(List<string>? inherited, List<string>? own) => Concat(inherited, own, StringComparer.Ordinal);

    private static List<int>? Concat(List<int>? inherited, List<int>? own) => Concat(inherited, own, EqualityComparer<int>.Default);

    private static List<T>? Concat<T>(List<T>? inherited, List<T>? own, IEqualityComparer<T> comparer)
    {
        if (own is null)
        {
            return inherited;
        }

        if (own.Count == 0)
        {
            return [];
        }

        var result = new List<T>((inherited?.Count ?? 0) + own.Count);
        var seen = new HashSet<T>(comparer);
        foreach (var item in inherited ?? [])
        {
            if (item is not null && seen.Add(item))
            {
                result.Add(item);
            }
        }

        foreach (var item in own)
        {
            if (item is not null && seen.Add(item))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
