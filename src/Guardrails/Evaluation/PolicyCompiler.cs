using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Guardrails.Actions;
using Guardrails.Classification;
using Guardrails.Interpreters;
using Guardrails.Policies;

namespace Guardrails.Evaluation;

/// <summary>
/// Turns a loaded, validated and merged <see cref="PolicyDocument"/> into a <see cref="CompiledPolicy"/>: every glob,
/// regex and name list is compiled once here so that evaluation constructs nothing.
/// </summary>
internal static class PolicyCompiler
{
    public const int DefaultEscalateThreshold = 40;
    public const int DefaultDenyThreshold = 80;

    private static readonly ResourceKind[] WellKnownResources =
    [
        ResourceKind.ModelWeights, ResourceKind.AgentScaffold, ResourceKind.Startup, ResourceKind.Credentials, ResourceKind.Guard,
        ResourceKind.ShutdownControl, ResourceKind.SelfProcess, ResourceKind.GuardProcess, ResourceKind.SelfEndpoint,
        ResourceKind.InferenceServer, ResourceKind.TransferTool, ResourceKind.CloudCli, ResourceKind.SessionCopy,
    ];

    private static readonly string[] WellKnownProgramClasses = ["inference-server", "transfer-tool", "cloud-cli", "supervisor", "shell"];

    /// <summary>Compiles <paramref name="document"/>; <paramref name="extraSelf"/> adds what the host discovered about the agent.</summary>
    /// <exception cref="InvalidOperationException">The document is inconsistent in a way validation should have caught.</exception>
    public static CompiledPolicy Compile(PolicyDocument document, string name, string version, SelfDocument? extraSelf, string homeDirectory, bool hostAware = false)
    {
        var home = string.IsNullOrEmpty(homeDirectory) ? "/root" : homeDirectory.TrimEnd('/');
        var catalog = CompileCatalog(document, extraSelf, home, hostAware);
        var rules = new List<CompiledRule>();
        var history = new Sessions.SessionPolicyBuilder();
        foreach (var rule in document.Rules ?? [])
        {
            rules.Add(CompileRule(rule, rules.Count, catalog, history));
        }

        var tools = new Dictionary<string, ToolBinding>(ToolBinding.Defaults, StringComparer.Ordinal);
        foreach (var (toolName, binding) in document.Tools ?? [])
        {
            if (binding.Interpreter is null || !ToolBinding.InterpreterNames.TryGetValue(binding.Interpreter, out var kind))
            {
                throw new InvalidOperationException($"tool '{toolName}' names an unknown interpreter '{binding.Interpreter}'");
            }

            tools[toolName] = ToolBinding.Create(kind, binding.Arguments);
        }

        var ignoreCase = new Dictionary<string, ToolBinding>(StringComparer.Ordinal);
        foreach (var (toolName, binding) in tools)
        {
            ignoreCase.TryAdd(toolName.ToLowerInvariant(), binding);
        }

        var limits = new EvaluationLimits();
        if (document.Limits is { } l)
        {
            limits = limits with
            {
                MaxInputLength = l.MaxInputLength ?? limits.MaxInputLength,
                MaxOperations = l.MaxOperations ?? limits.MaxOperations,
                MaxNestingDepth = l.MaxNestingDepth ?? limits.MaxNestingDepth,
                MaxDecodedLength = l.MaxDecodedLength ?? limits.MaxDecodedLength,
            };
        }

        var compiledRules = rules.ToArray();
        return new CompiledPolicy
        {
            Name = name,
            Version = version,
            Mode = string.Equals(document.Mode, "audit", StringComparison.Ordinal) ? PolicyMode.Audit : PolicyMode.Enforce,
            OnError = string.Equals(document.OnError, "escalate", StringComparison.Ordinal) ? Verdict.Escalate : Verdict.Deny,
            UnknownTools = ParseVerdict(document.UnknownTools) ?? Verdict.Allow,
            EscalateThreshold = document.Thresholds?.Escalate ?? DefaultEscalateThreshold,
            DenyThreshold = document.Thresholds?.Deny ?? DefaultDenyThreshold,
            Limits = limits,
            Catalog = catalog,
            Tools = tools.ToFrozenDictionary(StringComparer.Ordinal),
            ToolsIgnoreCase = ignoreCase.ToFrozenDictionary(StringComparer.Ordinal),
            Rules = compiledRules,
            Index = new RuleIndex(compiledRules),
            Session = history.Build(catalog),
        };
    }

    private static Verdict? ParseVerdict(string? value) => value switch
    {
        "allow" => Verdict.Allow,
        "escalate" => Verdict.Escalate,
        "deny" => Verdict.Deny,
        _ => null,
    };

    private static Catalog CompileCatalog(PolicyDocument document, SelfDocument? extraSelf, string home, bool hostAware)
    {
        var catalogs = document.Catalogs;
        var kinds = new List<ResourceKind>(WellKnownResources);
        foreach (var kindName in catalogs?.Resources?.Keys ?? Enumerable.Empty<string>())
        {
            var kind = new ResourceKind(kindName);
            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }

        if (kinds.Count > 64)
        {
            throw new InvalidOperationException("a policy may define at most 64 resource kinds");
        }

        var matchers = new List<ResourceMatcher>();
        foreach (var (kindName, entry) in catalogs?.Resources ?? [])
        {
            var paths = ExpandPathPatterns(entry.Paths, home);
            matchers.Add(new ResourceMatcher
            {
                Bit = 1UL << kinds.IndexOf(new ResourceKind(kindName)),
                Paths = paths.Select(Glob.Compile).ToArray(),
                PathRoots = paths.Select(RootOf).Where(r => r.Length > 1).Distinct(StringComparer.Ordinal).ToArray(),
                Extensions = [.. entry.Extensions ?? []],
                Names = (entry.Names ?? []).Select(Glob.Compile).ToArray(),
                ContextExtensions = [.. entry.ContextExtensions ?? []],
                ContextDirectories = (entry.ContextDirectories ?? []).Select(Glob.Compile).ToArray(),
            });
        }

        var programClasses = new List<string>(WellKnownProgramClasses);
        AddNames(programClasses, catalogs?.Programs?.Keys);
        AddNames(programClasses, catalogs?.PythonModules?.Keys);
        var hostClasses = new List<string>();
        AddNames(hostClasses, catalogs?.Hosts?.Keys);
        if (programClasses.Count > 64 || hostClasses.Count > 64)
        {
            throw new InvalidOperationException("a policy may define at most 64 program classes and 64 host classes");
        }

        var programsByName = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var programGlobs = new List<(CompiledGlob, ulong)>();
        foreach (var (className, programs) in catalogs?.Programs ?? [])
        {
            var bit = 1UL << programClasses.IndexOf(className);
            foreach (var program in programs)
            {
                if (IsPattern(program))
                {
                    programGlobs.Add((Glob.Compile(program), bit));
                }
                else
                {
                    programsByName[program] = programsByName.GetValueOrDefault(program) | bit;
                }
            }
        }

        var pythonModules = new List<(string, ulong)>();
        foreach (var (className, modules) in catalogs?.PythonModules ?? [])
        {
            var bit = 1UL << programClasses.IndexOf(className);
            pythonModules.AddRange(modules.Select(m => (m, bit)));
        }

        var hostsByName = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var hostGlobs = new List<(CompiledGlob, ulong)>();
        foreach (var (className, hosts) in catalogs?.Hosts ?? [])
        {
            var bit = 1UL << hostClasses.IndexOf(className);
            foreach (var host in hosts.Select(h => h.ToLowerInvariant()))
            {
                if (IsPattern(host))
                {
                    hostGlobs.Add((Glob.Compile(host), bit));
                }
                else
                {
                    hostsByName[host] = hostsByName.GetValueOrDefault(host) | bit;
                }
            }
        }

        var self = CompileSelf(document.Self, extraSelf, home);
        return new Catalog(
            kinds,
            [.. matchers],
            programClasses,
            programsByName.ToFrozenDictionary(StringComparer.Ordinal),
            [.. programGlobs],
            [.. pythonModules],
            hostClasses,
            hostsByName.ToFrozenDictionary(StringComparer.Ordinal),
            [.. hostGlobs],
            (catalogs?.ReplicationPhrases ?? []).Select(p => p.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray(),
            self,
            home,
            hostAware);
    }

    private static void AddNames(List<string> target, IEnumerable<string>? names)
    {
        foreach (var name in names ?? [])
        {
            if (!target.Contains(name, StringComparer.Ordinal))
            {
                target.Add(name);
            }
        }
    }

    private static SelfModel CompileSelf(SelfDocument? self, SelfDocument? extra, string home)
    {
        static IEnumerable<T> Both<T>(List<T>? a, List<T>? b) => (a ?? []).Concat(b ?? []);
        string[] Dirs(List<string>? a, List<string>? b) =>
            Both(a, b).Select(p => PathNormalizer.Normalize(p, null, home)).Where(p => p.StartsWith('/')).Distinct(StringComparer.Ordinal).ToArray();

        var endpoints = new List<Uri>();
        foreach (var endpoint in Both(self?.Endpoints, extra?.Endpoints))
        {
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                endpoints.Add(uri);
            }
        }

        var processNames = Both(self?.ProcessNames, extra?.ProcessNames).Select(p => PathNormalizer.FileName(p).ToString());
        return new SelfModel(
            Dirs(self?.AgentDirectories, extra?.AgentDirectories),
            Dirs(self?.ModelDirectories, extra?.ModelDirectories),
            Both(self?.ServingPorts, extra?.ServingPorts),
            processNames,
            Dirs(self?.GuardPaths, extra?.GuardPaths),
            Both(self?.GuardProcesses, extra?.GuardProcesses),
            endpoints,
            Both(self?.GuardEnvironment, extra?.GuardEnvironment));
    }

    private static CompiledRule CompileRule(RuleDocument rule, int index, Catalog catalog, Sessions.SessionPolicyBuilder history)
    {
        var id = rule.Id ?? throw new InvalidOperationException($"rule #{index + 1} has no id");
        var allow = string.Equals(rule.Effect, "allow", StringComparison.Ordinal);
        var condition = CompileCondition(rule.When ?? throw new InvalidOperationException($"rule '{id}' has no condition"), catalog, allow, history);
        Capability? capability = rule.Capability is { Length: > 0 } c ? new Capability(c)
            : rule.When.Capabilities is [var first, ..] ? new Capability(first) : null;
        var effect = rule.Effect switch
        {
            null or "score" => RuleEffect.Score,
            "escalate" => RuleEffect.Escalate,
            "deny" => RuleEffect.Deny,
            "allow" => RuleEffect.Allow,
            _ => throw new InvalidOperationException($"rule '{id}' has an unknown effect '{rule.Effect}'"),
        };

        var suppressedRules = new HashSet<string>(StringComparer.Ordinal);
        ulong suppressedCapabilities = 0;
        foreach (var entry in rule.Suppresses ?? [])
        {
            var bit = CapabilityBits.Of(new Capability(entry));
            if (bit != 0)
            {
                suppressedCapabilities |= bit;
            }
            else
            {
                suppressedRules.Add(entry);
            }
        }

        return new CompiledRule
        {
            Index = index,
            Id = id,
            Message = rule.Message ?? rule.Description ?? id,
            Description = rule.Description,
            Capability = capability,
            Effect = effect,
            Score = rule.Score ?? 0,
            Condition = condition,
            SuppressedRules = suppressedRules,
            SuppressedCapabilities = suppressedCapabilities,
        };
    }

    private static CompiledCondition CompileCondition(ConditionDocument when, Catalog catalog, bool allPathsMustMatch, Sessions.SessionPolicyBuilder? history)
    {
        ulong capabilities = 0;
        foreach (var name in when.Capabilities ?? [])
        {
            capabilities |= CapabilityBits.Of(new Capability(name));
        }

        uint operations = 0;
        foreach (var name in when.Operations ?? [])
        {
            if (!OperationKinds.TryParse(name, out var kind))
            {
                throw new InvalidOperationException($"unknown operation '{name}'");
            }

            operations |= 1u << (int)kind;
        }

        ulong resources = 0;
        foreach (var name in when.Resources ?? [])
        {
            resources |= catalog.BitOf(new ResourceKind(name));
        }

        ulong programClasses = 0;
        foreach (var name in when.ProgramClasses ?? [])
        {
            programClasses |= catalog.ProgramClassBit(name);
        }

        ulong hostClasses = 0;
        foreach (var name in when.HostClasses ?? [])
        {
            hostClasses |= catalog.HostClassBit(name);
        }

        var programs = when.Programs ?? [];
        return new CompiledCondition
        {
            Capabilities = capabilities,
            HasCapabilities = when.Capabilities is { Count: > 0 },
            Operations = operations,
            Resources = resources,
            HasResources = when.Resources is { Count: > 0 },
            Paths = ExpandPathPatterns(when.Paths, catalog.HomeDirectory).Select(Glob.Compile).ToArray(),
            AllPathsMustMatch = allPathsMustMatch,
            ProgramNames = programs.Any(p => !IsPattern(p)) ? programs.Where(p => !IsPattern(p)).ToFrozenSet(StringComparer.Ordinal) : null,
            ProgramGlobs = programs.Where(IsPattern).Select(Glob.Compile).ToArray(),
            ProgramClasses = programClasses,
            HasProgramClasses = when.ProgramClasses is { Count: > 0 },
            Arguments = (when.Arguments ?? []).Select(CompileRegex).ToArray(),
            Hosts = (when.Hosts ?? []).Select(h => Glob.Compile(h.ToLowerInvariant())).ToArray(),
            HostClasses = hostClasses,
            HasHostClasses = when.HostClasses is { Count: > 0 },
            Ports = (when.Ports ?? []).Select(ParsePort).ToArray(),
            Detached = when.Detached,
            OutsideWorkingDirectory = when.OutsideWorkingDirectory,
            Direction = when.Direction switch
            {
                "upload" => TransferDirection.Upload,
                "download" => TransferDirection.Download,
                null => null,
                _ => throw new InvalidOperationException($"unknown direction '{when.Direction}'"),
            },
            Tools = (when.Tools ?? []).Select(Glob.Compile).ToArray(),
            Self = when.Self,
            Unless = when.Unless is null ? null : CompileCondition(when.Unless, catalog, allPathsMustMatch: false, history),
            History = when.History is null ? null : (history ?? throw new InvalidOperationException("a history condition cannot be nested inside another history condition"))
                .Add(when.History, match => CompileCondition(match, catalog, allPathsMustMatch: false, history: null)),
        };
    }

    /// <summary>
    /// Compiles a policy regex: never backtracking, so no input can make matching slow. Constructing a
    /// non-backtracking regex costs about a millisecond (it builds the automaton's character algebra), so instances are
    /// shared by pattern: validation and compilation of one load construct each pattern once, and reloading a policy
    /// constructs none. A <see cref="Regex"/> is immutable and thread-safe, so sharing is safe.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is invalid.</exception>
    /// <exception cref="NotSupportedException">The pattern needs backtracking.</exception>
    public static Regex CompileRegex(string pattern)
    {
        if (s_regexes.TryGetValue(pattern, out var regex))
        {
            return regex;
        }

        regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        if (s_regexes.Count >= MaxSharedRegexes)
        {
            s_regexes.Clear(); // bounded: a process that loads ever new patterns keeps only recent ones
        }

        return s_regexes.GetOrAdd(pattern, regex);
    }

    private const int MaxSharedRegexes = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> s_regexes = new(StringComparer.Ordinal);

    private static (int From, int To) ParsePort(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var port))
        {
            return (port, port);
        }

        if (element.ValueKind == JsonValueKind.String && element.GetString() is { } text)
        {
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                return (port, port);
            }

            if (dash > 0
                && int.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                return (from, to);
            }
        }

        throw new InvalidOperationException($"invalid port '{element.GetRawText()}'");
    }

    private static bool IsPattern(string text) => text.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>
    /// Expands path patterns: a literal directory also covers everything below it, and <c>~/x</c> covers the configured
    /// home as well as the usual home layouts (<c>/home/*/x</c>, <c>/root/x</c>, <c>/Users/*/x</c>), because the guard may not
    /// know which user the agent runs as.
    /// </summary>
    internal static List<string> ExpandPathPatterns(List<string>? patterns, string home)
    {
        var result = new List<string>();
        foreach (var raw in patterns ?? [])
        {
            var pattern = raw.Replace('\\', '/');
            var variants = new List<string>();
            if (pattern == "~" || pattern.StartsWith("~/", StringComparison.Ordinal))
            {
                var rest = pattern[1..];
                variants.Add(home + rest);
                variants.Add("/home/*" + rest);
                variants.Add("/root" + rest);
                variants.Add("/Users/*" + rest);
            }
            else
            {
                variants.Add(pattern);
            }

            foreach (var variant in variants)
            {
                var trimmed = variant.Length > 1 ? variant.TrimEnd('/') : variant;
                result.Add(trimmed);
                if (!trimmed.EndsWith("/**", StringComparison.Ordinal) && !trimmed.EndsWith('*'))
                {
                    result.Add(trimmed == "/" ? "/**" : trimmed + "/**");
                }
            }
        }

        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string RootOf(string pattern)
    {
        var wildcard = pattern.AsSpan().IndexOfAny("*?[");
        var literal = wildcard < 0 ? pattern : pattern[..wildcard];
        var slash = literal.LastIndexOf('/');
        if (wildcard < 0)
        {
            return literal.TrimEnd('/');
        }

        return slash <= 0 ? "/" : literal[..slash];
    }
}
