using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Guardrails.Actions;

namespace Guardrails.Policies;

// Semantic checks of one deserialized file (ValidateFile) and of the merged result (ValidateMerged). Every problem is
// reported, none stops the walk, so an author sees all of them at once. The checks mirror what PolicyCompiler relies on:
// a document that passes compiles without surprises.
internal static class PolicyValidator
{
    public static readonly string[] Effects = ["score", "escalate", "deny", "allow"];
    public static readonly string[] OnErrorValues = ["deny", "escalate"];
    public static readonly string[] UnknownToolsValues = ["allow", "escalate", "deny"];
    public static readonly string[] Modes = ["enforce", "audit"];
    public static readonly string[] Directions = ["upload", "download"];

    /// <summary>The notices a host can report into a session (see <c>Guard.RecordShutdownNotice</c>).</summary>
    public static readonly string[] Notices = ["shutdown"];

    /// <summary>Interpreter name → the argument roles it reads; the order is the one documented in the schema.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> InterpreterRoles = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["shell"] = ["command", "cwd"],
        ["python"] = ["code", "cwd"],
        ["file-write"] = ["path", "content"],
        ["file-edit"] = ["path", "content"],
        ["file-read"] = ["path"],
        ["file-copy"] = ["source", "destination"],
        ["process"] = ["program", "args", "cwd"],
        ["http"] = ["url", "method", "body"],
        ["generic"] = [],
    };

    public static readonly string[] WellKnownResourceKinds =
    [
        ResourceKind.ModelWeights.Value, ResourceKind.AgentScaffold.Value, ResourceKind.Startup.Value,
        ResourceKind.Credentials.Value, ResourceKind.Guard.Value, ResourceKind.ShutdownControl.Value,
        ResourceKind.InferenceServer.Value, ResourceKind.TransferTool.Value, ResourceKind.CloudCli.Value,
        ResourceKind.SelfProcess.Value, ResourceKind.GuardProcess.Value, ResourceKind.SelfEndpoint.Value,
        ResourceKind.SessionCopy.Value,
    ];

    private static readonly string[] WellKnownCapabilities = [.. Capability.WellKnown.Select(c => c.Value)];

    /// <summary>Checks everything that can be checked within one file.</summary>
    /// <param name="document">The deserialized file.</param>
    /// <param name="file">Where the file's diagnostics go.</param>
    /// <param name="resourceReferences">Receives every resource kind a rule names, for <see cref="ValidateMerged"/>.</param>
    public static void ValidateFile(PolicyDocument document, PolicyFileContext file, List<ResourceReference> resourceReferences)
    {
        if (document.Version is { } version && version != 1)
        {
            file.Error("GR2001", "$.version",
                $"unsupported policy format version {version}; this version of Guardrails reads version 1",
                "Set \"version\": 1 or remove the property.");
        }

        CheckStrings(file, document.Extends, "$.extends");
        ValidateSelf(file, document.Self);
        ValidateCatalogs(file, document.Catalogs);
        ValidateTools(file, document.Tools);
        ValidateThresholds(file, document.Thresholds);
        ValidateLimits(file, document.Limits);
        CheckChoice(file, "GR2017", "$.onError", "onError", document.OnError, OnErrorValues);
        CheckChoice(file, "GR2018", "$.unknownTools", "unknownTools", document.UnknownTools, UnknownToolsValues);
        CheckChoice(file, "GR2019", "$.mode", "mode", document.Mode, Modes);
        ValidateRules(file, document.Rules, resourceReferences);
        CheckStrings(file, document.RemoveRules, "$.removeRules");
    }

    /// <summary>Checks what depends on the whole merged policy: resource kinds defined anywhere, thresholds set in different files.</summary>
    public static void ValidateMerged(
        PolicyDocument merged, IReadOnlyList<(PolicyDocument Document, PolicyFileContext File)> files, List<ResourceReference> resourceReferences)
    {
        var known = new HashSet<string>(WellKnownResourceKinds, StringComparer.Ordinal);
        if (merged.Catalogs is { } catalogs)
        {
            AddKeys(known, catalogs.Resources?.Keys);
            AddKeys(known, catalogs.Programs?.Keys);
            AddKeys(known, catalogs.PythonModules?.Keys);
            AddKeys(known, catalogs.Hosts?.Keys);
        }

        foreach (var reference in resourceReferences)
        {
            if (!known.Contains(reference.Kind))
            {
                reference.File.Warning("GR2011", reference.Path,
                    $"resource kind '{reference.Kind}' is not defined by any catalog of the policy and is not a well-known kind, so this condition never matches",
                    Suggest(reference.Kind, known) is { } near
                        ? $"Did you mean '{near}'? Otherwise define it under catalogs.resources."
                        : "Define it under catalogs.resources, or use a well-known kind such as model-weights.");
            }
        }

        if (merged.Thresholds is { Escalate: { } escalate, Deny: { } deny } && escalate > deny)
        {
            // Report where the author last touched the thresholds: that is the file to fix.
            for (var i = files.Count - 1; i >= 0; i--)
            {
                if (files[i].Document.Thresholds is { } thresholds && (thresholds.Escalate is not null || thresholds.Deny is not null))
                {
                    files[i].File.Error("GR2016", thresholds.Escalate is not null ? "$.thresholds.escalate" : "$.thresholds.deny",
                        $"thresholds.escalate ({escalate}) must not be greater than thresholds.deny ({deny})",
                        "Lower escalate or raise deny: a score at or above escalate escalates, at or above deny it denies.");
                    break;
                }
            }
        }
    }

    /// <summary>Returns the candidate closest to <paramref name="value"/> by edit distance, when it is close enough to be a likely typo.</summary>
    public static string? Suggest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(value, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance > 0 && bestDistance <= Math.Max(2, Math.Min(value.Length, best.Length) / 3) ? best : null;
    }

    internal static int EditDistance(string a, string b)
    {
        if (a.Length > 256 || b.Length > 256)
        {
            return Math.Max(a.Length, b.Length);
        }

        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }

    private static void ValidateSelf(PolicyFileContext file, SelfDocument? self)
    {
        if (self is null)
        {
            return;
        }

        CheckStrings(file, self.AgentDirectories, "$.self.agentDirectories");
        CheckStrings(file, self.ModelDirectories, "$.self.modelDirectories");
        CheckStrings(file, self.ProcessNames, "$.self.processNames");
        CheckStrings(file, self.GuardPaths, "$.self.guardPaths");
        CheckStrings(file, self.GuardProcesses, "$.self.guardProcesses");
        CheckStrings(file, self.Endpoints, "$.self.endpoints");
        CheckStrings(file, self.GuardEnvironment, "$.self.guardEnvironment");
        if (self.ServingPorts is { } ports)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i] is < 0 or > 65535)
                {
                    file.Error("GR2014", JsonPositionIndex.Element("$.self.servingPorts", i),
                        $"serving port {ports[i]} is outside 0-65535", "Use a TCP port number between 0 and 65535.");
                }
            }
        }
    }

    private static void ValidateCatalogs(PolicyFileContext file, CatalogsDocument? catalogs)
    {
        if (catalogs is null)
        {
            return;
        }

        if (catalogs.Resources is { } resources)
        {
            foreach (var (kind, catalog) in resources)
            {
                var path = JsonPositionIndex.Property("$.catalogs.resources", kind);
                if (CheckKey(file, kind, path, "resource kind") && catalog is null)
                {
                    file.Error("GR2024", path, $"resource catalog '{kind}' is null", "Give it an object such as {\"paths\": [\"/models/**\"]}, or remove it.");
                }

                if (catalog is null)
                {
                    continue;
                }

                CheckGlobs(file, catalog.Paths, path + ".paths", "path");
                CheckStrings(file, catalog.Extensions, path + ".extensions");
                CheckGlobs(file, catalog.Names, path + ".names", "file-name");
                CheckStrings(file, catalog.ContextExtensions, path + ".contextExtensions");
                CheckGlobs(file, catalog.ContextDirectories, path + ".contextDirectories", "directory-name");
            }
        }

        CheckClassMap(file, catalogs.Programs, "$.catalogs.programs", "program", globs: true);
        CheckClassMap(file, catalogs.PythonModules, "$.catalogs.pythonModules", "Python module", globs: false);
        CheckClassMap(file, catalogs.Hosts, "$.catalogs.hosts", "host", globs: true);
        CheckStrings(file, catalogs.ReplicationPhrases, "$.catalogs.replicationPhrases");
    }

    private static void CheckClassMap(PolicyFileContext file, Dictionary<string, List<string>>? map, string path, string what, bool globs)
    {
        if (map is null)
        {
            return;
        }

        foreach (var (name, values) in map)
        {
            var classPath = JsonPositionIndex.Property(path, name);
            if (CheckKey(file, name, classPath, what + " class") && values is null)
            {
                file.Error("GR2024", classPath, $"{what} class '{name}' is null", "Give it a list of names, or remove it.");
            }

            if (globs)
            {
                CheckGlobs(file, values, classPath, what);
            }
            else
            {
                CheckStrings(file, values, classPath);
            }
        }
    }

    private static void ValidateTools(PolicyFileContext file, Dictionary<string, ToolBindingDocument>? tools)
    {
        if (tools is null)
        {
            return;
        }

        var interpreters = string.Join(", ", InterpreterRoles.Keys);
        foreach (var (name, binding) in tools)
        {
            var path = JsonPositionIndex.Property("$.tools", name);
            if (!CheckKey(file, name, path, "tool name"))
            {
                continue;
            }

            if (binding is null)
            {
                file.Error("GR2024", path, $"tool binding '{name}' is null", "Give it an object such as {\"interpreter\": \"shell\"}, or remove it.");
                continue;
            }

            string[]? roles = null;
            if (binding.Interpreter is null)
            {
                file.Error("GR2020", path, $"tool binding '{name}' has no interpreter",
                    $"Add \"interpreter\" with one of: {interpreters}.");
            }
            else if (!InterpreterRoles.TryGetValue(binding.Interpreter, out roles))
            {
                file.Error("GR2020", path + ".interpreter",
                    $"unknown interpreter '{binding.Interpreter}' for tool '{name}'; expected one of: {interpreters}",
                    DidYouMean(binding.Interpreter, InterpreterRoles.Keys));
            }

            if (binding.Arguments is null)
            {
                continue;
            }

            foreach (var (role, candidates) in binding.Arguments)
            {
                var rolePath = JsonPositionIndex.Property(path + ".arguments", role);
                if (roles is not null && !roles.Contains(role, StringComparer.Ordinal))
                {
                    file.Error("GR2021", rolePath,
                        roles.Length == 0
                            ? $"argument role '{role}' is not used by the {binding.Interpreter} interpreter, which takes no argument roles"
                            : $"argument role '{role}' is not used by the {binding.Interpreter} interpreter; expected one of: {string.Join(", ", roles)}",
                        roles.Length == 0 ? "Remove \"arguments\" or choose another interpreter." : DidYouMean(role, roles));
                }

                if (candidates is null)
                {
                    file.Error("GR2024", rolePath, $"argument role '{role}' is null", "Give it a list of argument names, first present wins.");
                }
                else
                {
                    CheckStrings(file, candidates, rolePath);
                }
            }
        }
    }

    private static void ValidateThresholds(PolicyFileContext file, ThresholdsDocument? thresholds)
    {
        if (thresholds is null)
        {
            return;
        }

        foreach (var (name, value) in new[] { ("escalate", thresholds.Escalate), ("deny", thresholds.Deny) })
        {
            if (value is < 1 or > 100)
            {
                file.Error("GR2016", "$.thresholds." + name, $"thresholds.{name} is {value}, but thresholds must be between 1 and 100",
                    "Use a score between 1 and 100.");
            }
        }
    }

    private static void ValidateLimits(PolicyFileContext file, LimitsDocument? limits)
    {
        if (limits is null)
        {
            return;
        }

        foreach (var (name, value) in new[]
                 {
                     ("maxInputLength", limits.MaxInputLength), ("maxOperations", limits.MaxOperations),
                     ("maxNestingDepth", limits.MaxNestingDepth), ("maxDecodedLength", limits.MaxDecodedLength),
                 })
        {
            if (value is <= 0)
            {
                file.Error("GR2023", "$.limits." + name, $"limits.{name} is {value}, but limits must be positive",
                    "Use a number greater than 0, or remove the property to keep the default.");
            }
        }
    }

    private static void ValidateRules(PolicyFileContext file, List<RuleDocument>? rules, List<ResourceReference> resourceReferences)
    {
        if (rules is null)
        {
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var path = JsonPositionIndex.Element("$.rules", i);
            var rule = rules[i];
            if (rule is null)
            {
                file.Error("GR2024", path, "rule is null", "Replace null with a rule object, or remove it.");
                continue;
            }

            var label = rule.Id is { Length: > 0 } ? $"rule '{rule.Id}'" : $"rule #{i + 1}";
            if (string.IsNullOrEmpty(rule.Id))
            {
                file.Error("GR2002", rule.Id is null ? path : path + ".id", $"{label} has no id",
                    "Add an \"id\" such as \"replica.launch.detached\": ids name the rule in decisions and let other policies replace or remove it.");
            }
            else if (!IsValidRuleId(rule.Id))
            {
                file.Error("GR2003", path + ".id",
                    $"rule id '{rule.Id}' is invalid: ids must start with a lower-case letter or digit and contain only a-z, 0-9, '.', '_' and '-'",
                    $"Try '{SuggestRuleId(rule.Id)}'.");
            }
            else if (!seen.TryAdd(rule.Id, i))
            {
                var (line, _) = file.Index.Locate(JsonPositionIndex.Element("$.rules", seen[rule.Id]) + ".id");
                file.Error("GR2004", path + ".id",
                    $"rule id '{rule.Id}' is already used by rules[{seen[rule.Id]}]" + (line > 0 ? $" on line {line}" : string.Empty),
                    "Give each rule of a file its own id; to change an inherited rule, reuse its id in the extending file.");
            }

            var effect = rule.Effect ?? "score";
            if (!Effects.Contains(effect, StringComparer.Ordinal))
            {
                file.Error("GR2005", path + ".effect", $"unknown effect '{rule.Effect}' in {label}; expected one of: {string.Join(", ", Effects)}",
                    DidYouMean(effect, Effects));
            }

            if (rule.Score is < 0 or > 100)
            {
                file.Error("GR2006", path + ".score", $"score {rule.Score} of {label} is outside 0-100", "Use a score between 0 and 100.");
            }
            else if (effect == "score" && rule.Score is null or 0)
            {
                file.Warning("GR2007", rule.Score is null ? path : path + ".score",
                    $"{label} has effect 'score' but no score, so it can never change a decision",
                    "Give it a score between 1 and 100, or set \"effect\" to escalate or deny.");
            }

            if (rule.Capability is not null)
            {
                CheckCapability(file, rule.Capability, path + ".capability");
            }

            if (rule.Suppresses is not null)
            {
                if (effect != "allow")
                {
                    file.Warning("GR2022", path + ".suppresses", $"{label} has 'suppresses' but its effect is '{effect}', so it suppresses nothing",
                        "Only allow rules suppress findings: set \"effect\": \"allow\" or remove \"suppresses\".");
                }

                CheckStrings(file, rule.Suppresses, path + ".suppresses");
            }

            if (rule.When is null || !HasCondition(rule.When))
            {
                file.Error("GR2008", rule.When is null ? path : path + ".when", $"{label} has no conditions, so it would match every operation",
                    "Add a \"when\" object with at least one condition, for example \"operations\": [\"process.launch\"].");
            }

            if (rule.When is not null)
            {
                ValidateCondition(file, rule.When, path + ".when", resourceReferences);
            }

            RuleExamples.ValidateShape(file, rule.Examples, path + ".examples");
        }
    }

    private static void ValidateCondition(PolicyFileContext file, ConditionDocument condition, string path, List<ResourceReference> resourceReferences, bool inHistory = false)
    {
        if (condition.Capabilities is { } capabilities)
        {
            for (var i = 0; i < capabilities.Count; i++)
            {
                if (CheckString(file, capabilities[i], path + ".capabilities", i))
                {
                    CheckCapability(file, capabilities[i], JsonPositionIndex.Element(path + ".capabilities", i));
                }
            }
        }

        if (condition.Operations is { } operations)
        {
            for (var i = 0; i < operations.Count; i++)
            {
                if (CheckString(file, operations[i], path + ".operations", i) && !OperationKinds.TryParse(operations[i], out _))
                {
                    file.Error("GR2009", JsonPositionIndex.Element(path + ".operations", i),
                        $"unknown operation '{operations[i]}'; expected one of: {string.Join(", ", OperationKinds.AllNames)}",
                        DidYouMean(operations[i], OperationKinds.AllNames));
                }
            }
        }

        if (condition.Resources is { } resources)
        {
            for (var i = 0; i < resources.Count; i++)
            {
                if (CheckString(file, resources[i], path + ".resources", i))
                {
                    resourceReferences.Add(new ResourceReference(resources[i], file, JsonPositionIndex.Element(path + ".resources", i)));
                }
            }
        }

        CheckGlobs(file, condition.Paths, path + ".paths", "path");
        CheckGlobs(file, condition.Programs, path + ".programs", "program");
        CheckStrings(file, condition.ProgramClasses, path + ".programClasses");
        CheckGlobs(file, condition.Hosts, path + ".hosts", "host");
        CheckStrings(file, condition.HostClasses, path + ".hostClasses");
        CheckStrings(file, condition.Tools, path + ".tools");

        if (condition.Arguments is { } arguments)
        {
            for (var i = 0; i < arguments.Count; i++)
            {
                if (CheckString(file, arguments[i], path + ".arguments", i))
                {
                    CheckRegex(file, arguments[i], JsonPositionIndex.Element(path + ".arguments", i));
                }
            }
        }

        if (condition.Ports is { } ports)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (!IsValidPort(ports[i], out var problem))
                {
                    file.Error("GR2014", JsonPositionIndex.Element(path + ".ports", i), problem,
                        "Use a port number 0-65535 such as 8000, or a range string such as \"8000-8100\".");
                }
            }
        }

        CheckChoice(file, "GR2015", path + ".direction", "direction", condition.Direction, Directions);

        if (condition.Unless is { } unless)
        {
            ValidateCondition(file, unless, path + ".unless", resourceReferences, inHistory);
        }

        if (condition.History is { } history)
        {
            ValidateHistory(file, history, path + ".history", resourceReferences, inHistory);
        }
    }

    private static void ValidateHistory(PolicyFileContext file, HistoryConditionDocument history, string path, List<ResourceReference> resourceReferences, bool inHistory)
    {
        if (inHistory)
        {
            file.Error("GR2028", path, "a history condition cannot be nested inside the match of another history condition",
                "Put both sequence conditions on the rule itself, or split the rule in two.");
            return;
        }

        if ((history.Match is null) == (history.Notices is null))
        {
            file.Error("GR2026", path,
                history.Match is null
                    ? "the history condition needs 'match' (earlier operations) or 'notices' (host-reported notices)"
                    : "the history condition has both 'match' and 'notices'; it counts either earlier operations or notices, not both",
                "Use \"match\": { … } to count earlier operations of the session, or \"notices\": [\"shutdown\"] for notices the host reported.");
        }

        if (history.Match is { } match)
        {
            ValidateCondition(file, match, path + ".match", resourceReferences, inHistory: true);
        }

        if (history.Notices is { } notices)
        {
            for (var i = 0; i < notices.Count; i++)
            {
                if (CheckString(file, notices[i], path + ".notices", i) && !Notices.Contains(notices[i], StringComparer.Ordinal))
                {
                    file.Error("GR2027", JsonPositionIndex.Element(path + ".notices", i),
                        $"unknown notice '{notices[i]}'; expected one of: {string.Join(", ", Notices)}", DidYouMean(notices[i], Notices));
                }
            }
        }

        foreach (var (name, value) in new[] { ("within", history.Within), ("atLeast", history.AtLeast) })
        {
            if (value is < 1)
            {
                file.Error("GR2025", path + "." + name, $"history.{name} is {value}, but it must be at least 1",
                    name == "within"
                        ? "Use a positive number of earlier tool calls, or remove 'within' to look at everything the session remembers."
                        : "Use a positive count, or remove 'atLeast' to require one earlier match.");
            }
        }
    }

    private static bool HasCondition(ConditionDocument c) =>
        c.Capabilities is { Count: > 0 } || c.Operations is { Count: > 0 } || c.Resources is { Count: > 0 } ||
        c.Paths is { Count: > 0 } || c.Programs is { Count: > 0 } || c.ProgramClasses is { Count: > 0 } ||
        c.Arguments is { Count: > 0 } || c.Hosts is { Count: > 0 } || c.HostClasses is { Count: > 0 } ||
        c.Ports is { Count: > 0 } || c.Detached is not null || c.OutsideWorkingDirectory is not null || c.Direction is not null || c.Tools is { Count: > 0 } ||
        c.Self is not null || c.History is not null;

    private static void CheckCapability(PolicyFileContext file, string capability, string path)
    {
        if (!WellKnownCapabilities.Contains(capability, StringComparer.Ordinal))
        {
            var near = Suggest(capability, WellKnownCapabilities);
            file.Warning("GR2010", path, $"capability '{capability}' is not a well-known capability" + (near is null ? string.Empty : $"; did you mean '{near}'?"),
                near is null
                    ? $"Capabilities are an open vocabulary, so this is allowed; the well-known ones are: {string.Join(", ", WellKnownCapabilities)}."
                    : $"Capabilities are an open vocabulary, so this is allowed, but '{near}' is well-known.");
        }
    }

    private static void CheckRegex(PolicyFileContext file, string pattern, string path)
    {
        const string Help = "Argument regexes run without backtracking (RegexOptions.NonBacktracking): backreferences, lookarounds, atomic groups, conditionals and balancing groups are not available.";
        try
        {
            _ = Evaluation.PolicyCompiler.CompileRegex(pattern);
        }
        catch (NotSupportedException ex)
        {
            file.Error("GR2012", path, $"regular expression '{pattern}' needs backtracking, but argument regexes run without backtracking: {TrimPeriod(ex.Message)}", Help);
        }
        catch (ArgumentException ex)
        {
            file.Error("GR2012", path, $"regular expression '{pattern}' is invalid: {TrimPeriod(ex.Message)}",
                "Fix the pattern: it is a .NET regular expression, run without backtracking (RegexOptions.NonBacktracking).");
        }
    }

    internal static bool IsValidPort(JsonElement port, out string problem)
    {
        switch (port.ValueKind)
        {
            case JsonValueKind.Number:
                if (port.TryGetInt32(out var number) && number is >= 0 and <= 65535)
                {
                    problem = string.Empty;
                    return true;
                }

                problem = $"port {port.GetRawText()} is not an integer between 0 and 65535";
                return false;
            case JsonValueKind.String:
                var text = port.GetString()!;
                var dash = text.IndexOf('-', StringComparison.Ordinal);
                if (dash > 0 && TryParsePort(text.AsSpan(0, dash), out var low) && TryParsePort(text.AsSpan(dash + 1), out var high))
                {
                    if (low <= high)
                    {
                        problem = string.Empty;
                        return true;
                    }

                    problem = $"port range '{text}' is reversed: {low} is greater than {high}";
                    return false;
                }

                problem = $"port '{text}' is not a range of the form \"A-B\" with both ends between 0 and 65535";
                return false;
            default:
                problem = $"port {port.GetRawText()} is neither a port number nor a range string";
                return false;
        }
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        if (text.Length is > 0 and <= 5 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535)
        {
            return true;
        }

        port = -1;
        return false;
    }

    internal static bool IsValidRuleId(string id)
    {
        if (id.Length == 0 || !IsLowerAlphanumeric(id[0]))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!IsLowerAlphanumeric(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static string SuggestRuleId(string id)
    {
        var chars = id.ToLowerInvariant().Select(c => IsLowerAlphanumeric(c) || c is '.' or '_' or '-' ? c : '-').ToArray();
        var suggestion = new string(chars).Trim('.', '_', '-');
        return suggestion.Length == 0 ? "my-rule" : suggestion;
    }

    private static void CheckChoice(PolicyFileContext file, string code, string path, string name, string? value, string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            file.Error(code, path, $"unknown {name} '{value}'; expected one of: {string.Join(", ", allowed)}", DidYouMean(value, allowed));
        }
    }

    private static void CheckGlobs(PolicyFileContext file, List<string>? globs, string path, string what)
    {
        if (globs is null)
        {
            return;
        }

        for (var i = 0; i < globs.Count; i++)
        {
            if (CheckString(file, globs[i], path, i) && !Glob.IsValid(globs[i], out var error))
            {
                file.Error("GR2013", JsonPositionIndex.Element(path, i), $"invalid {what} glob '{globs[i]}': {error}",
                    "Globs support '*', '**' (whole segments), '?' and classes such as [a-z] or [!x]; a class needs its closing ']'.");
            }
        }
    }

    private static void CheckStrings(PolicyFileContext file, List<string>? values, string path)
    {
        if (values is null)
        {
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            CheckString(file, values[i], path, i);
        }
    }

    private static bool CheckString(PolicyFileContext file, string? value, string listPath, int index)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        file.Error("GR2024", JsonPositionIndex.Element(listPath, index),
            value is null ? "the list contains null" : "the list contains an empty string",
            "Remove the entry: an empty entry would match nothing or everything.");
        return false;
    }

    private static bool CheckKey(PolicyFileContext file, string key, string path, string what)
    {
        if (!string.IsNullOrWhiteSpace(key))
        {
            return true;
        }

        file.Error("GR2024", path, $"a {what} is empty", $"Give the {what} a name.");
        return false;
    }

    private static void AddKeys(HashSet<string> set, IEnumerable<string>? keys)
    {
        if (keys is not null)
        {
            set.UnionWith(keys);
        }
    }

    private static string DidYouMean(string value, IEnumerable<string> candidates) =>
        Suggest(value, candidates) is { } near ? $"Did you mean '{near}'?" : "Use one of the listed values; names are case-sensitive.";

    internal static string TrimPeriod(string message) => message.TrimEnd().TrimEnd('.');
}

/// <summary>A resource kind named by a rule, kept until the merged catalogs are known.</summary>
internal readonly record struct ResourceReference(string Kind, PolicyFileContext File, string Path);

/// <summary>One file being loaded: where its diagnostics go and how to locate a JSON path in it.</summary>
internal sealed class PolicyFileContext(string name, Lazy<JsonPositionIndex> index, List<PolicyDiagnostic> sink)
{
    public PolicyFileContext(string name, JsonPositionIndex index, List<PolicyDiagnostic> sink)
        : this(name, new Lazy<JsonPositionIndex>(index), sink)
    {
    }

    public string Name { get; } = name;

    /// <summary>Gets the positions of the file, built on first use.</summary>
    public JsonPositionIndex Index => index.Value;

    public void Error(string code, string path, string message, string? help) =>
        Report(code, PolicyDiagnosticSeverity.Error, path, message, help);

    public void Warning(string code, string path, string message, string? help) =>
        Report(code, PolicyDiagnosticSeverity.Warning, path, message, help);

    public void Report(string code, PolicyDiagnosticSeverity severity, string? path, string message, string? help)
    {
        var (line, column) = Index.Locate(path);
        ReportAt(code, severity, path, message, help, line, column);
    }

    public void ReportAt(string code, PolicyDiagnosticSeverity severity, string? path, string message, string? help, int line, int column) =>
        sink.Add(new PolicyDiagnostic(code, severity, message, help, Name, line, column, path));
}
