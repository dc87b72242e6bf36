using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Guardrails.Policies;

// Reads a policy file and everything it extends, checks it and merges it into one PolicyDocument. Bad input of any
// kind (missing files, I/O errors, malformed JSON, meaningless values) becomes diagnostics, never an exception, and a
// last-resort catch turns anything unexpected into GR1999 so that a broken policy can never load by accident.
internal static class PolicyLoader
{
    public const string BuiltinPrefix = "builtin:";

    /// <summary>The largest policy file read (4 MiB); larger ones are rejected before they are read.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>How many levels of <c>extends</c> are followed below the top file.</summary>
    public const int MaxExtendsDepth = 8;

    private const string ResourcePrefix = "Guardrails.Policies.";
    private const string ResourceSuffix = ".json";

    private static readonly Assembly ResourceAssembly = typeof(PolicyLoader).Assembly;

    /// <summary>Gets the embedded policies, as <c>builtin:NAME</c>, in ordinal order.</summary>
    public static IReadOnlyList<string> BuiltinNames { get; } =
    [
        .. ResourceAssembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal)
                && n.Length > ResourcePrefix.Length + ResourceSuffix.Length)
            .Select(n => BuiltinPrefix + n[ResourcePrefix.Length..^ResourceSuffix.Length])
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Loads <c>builtin:NAME</c> from the embedded policies, anything else from the file system.</summary>
    public static PolicyLoadResult Load(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? LoadBuiltin(policy) : LoadFile(policy);
    }

    /// <summary>Loads a policy file; a relative path is relative to the current directory.</summary>
    public static PolicyLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Run(path, session =>
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                session.Report(Diagnostic("GR1003", "the policy file path is empty", "Pass the path of a policy file, or builtin:NAME.", null));
                return path;
            }

            string fullPath;
            try
            {
                fullPath = Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or IOException or System.Security.SecurityException)
            {
                session.Report(Diagnostic("GR1003", $"the policy path '{path}' is invalid: {PolicyValidator.TrimPeriod(ex.Message)}",
                    "Pass the path of a policy file, or builtin:NAME.", path));
                return path;
            }

            session.Include(Source.ForFile(fullPath), depth: 0, origin: null);
            return fullPath;
        });
    }

    /// <summary>Loads an embedded policy by name, with or without the <c>builtin:</c> prefix.</summary>
    public static PolicyLoadResult LoadBuiltin(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var shortName = name.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? name[BuiltinPrefix.Length..] : name;
        var fullName = BuiltinPrefix + shortName;
        return Run(fullName, session =>
        {
            session.Include(Source.ForBuiltin(shortName), depth: 0, origin: null);
            return fullName;
        });
    }

    /// <summary>Loads policy JSON held in memory; <c>extends</c> paths resolve against <paramref name="baseDirectory"/> (default: the current directory).</summary>
    public static PolicyLoadResult LoadText(string json, string sourceName, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        return Run(sourceName, session =>
        {
            var directory = baseDirectory ?? Directory.GetCurrentDirectory();
            var key = Path.IsPathFullyQualified(sourceName) ? sourceName : "text:" + sourceName;
            session.Include(Source.ForText(key, sourceName, directory, json), depth: 0, origin: null);
            return sourceName;
        });
    }

    private static PolicyLoadResult Run(string name, Func<LoadSession, string> load)
    {
        var session = new LoadSession();
        try
        {
            name = load(session);
            return session.Complete(name);
        }
#pragma warning disable CA1031 // The one deliberate catch-all: whatever goes wrong, the policy must not load (fail closed).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            session.Report(Diagnostic("GR1999", $"the policy could not be loaded because of an unexpected {ex.GetType().Name}: {PolicyValidator.TrimPeriod(ex.Message)}",
                "This is a bug in Guardrails; please report it with the policy file. The policy is rejected.", null));
            return session.Fail(name);
        }
    }

    private static PolicyDiagnostic Diagnostic(string code, string message, string? help, string? file) =>
        new(code, PolicyDiagnosticSeverity.Error, message, help, file, 0, 0, null);

    /// <summary>Where a policy comes from, and the key that identifies it for cycle detection.</summary>
    private sealed record Source(string Key, string Name, string? BaseDirectory, bool IsBuiltin, string? Text)
    {
        public static Source ForFile(string fullPath) => new(fullPath, fullPath, Path.GetDirectoryName(fullPath), false, null);

        public static Source ForBuiltin(string name) => new(BuiltinPrefix + name, BuiltinPrefix + name, null, true, null);

        public static Source ForText(string key, string name, string baseDirectory, string text) => new(key, name, baseDirectory, false, text);
    }

    /// <summary>The <c>extends</c> entry that led to a file, where problems with reaching that file are reported.</summary>
    private sealed record Origin(PolicyFileContext File, string Path, string Entry);

    private sealed record LoadedFile(Source Source, byte[] Bytes, PolicyDocument? Document, PolicyFileContext Context);

    // The state of one load: the files applied so far (in load order), the extends chain being followed, diagnostics.
    private sealed class LoadSession
    {
        private readonly List<PolicyDiagnostic> _diagnostics = [];
        private readonly List<LoadedFile> _files = [];
        private readonly HashSet<string> _included = new(StringComparer.Ordinal);
        private readonly List<Source> _chain = [];
        private readonly List<ResourceReference> _resourceReferences = [];

        public void Report(PolicyDiagnostic diagnostic) => _diagnostics.Add(diagnostic);

        public void Include(Source source, int depth, Origin? origin)
        {
            if (_chain.FindIndex(s => s.Key == source.Key) is var cycleStart and >= 0)
            {
                var names = _chain.Skip(cycleStart).Select(s => s.Name).Append(source.Name);
                origin!.File.Error("GR1005", origin.Path, $"extends cycle: {string.Join(" → ", names)}",
                    "Remove one of the extends entries so that no policy extends itself, directly or through others.");
                return;
            }

            // A base reached twice (two bases sharing one of their own) is applied once, at its first place.
            if (_included.Contains(source.Key))
            {
                return;
            }

            if (depth > MaxExtendsDepth)
            {
                origin!.File.Error("GR1006", origin.Path,
                    $"extends is nested more than {MaxExtendsDepth} levels deep: '{origin.Entry}' would be level {depth}",
                    "Flatten the chain of base policies: list several bases in one extends array instead of nesting them.");
                return;
            }

            var bytes = Read(source, origin);
            if (bytes is null)
            {
                return;
            }

            _included.Add(source.Key);
            var file = Parse(source, bytes);
            if (file.Document is { } document)
            {
                PolicyValidator.ValidateFile(document, file.Context, _resourceReferences);
                if (document.Extends is { } extends)
                {
                    _chain.Add(source);
                    for (var i = 0; i < extends.Count; i++)
                    {
                        if (string.IsNullOrWhiteSpace(extends[i]))
                        {
                            continue; // GR2024 from the validator.
                        }

                        var entryOrigin = new Origin(file.Context, JsonPositionIndex.Element("$.extends", i), extends[i]);
                        if (Resolve(source, extends[i], entryOrigin) is { } baseSource)
                        {
                            Include(baseSource, depth + 1, entryOrigin);
                        }
                    }

                    _chain.RemoveAt(_chain.Count - 1);
                }
            }

            _files.Add(file);
        }

        public PolicyLoadResult Complete(string name)
        {
            PolicyDocument? merged = null;
            string? version = null;
            Evaluation.CompiledPolicy? compiled = null;
            IReadOnlyList<RuleOrigin> origins = [];
            var documents = _files.Where(f => f.Document is not null).Select(f => (f.Document!, f.Context)).ToList();
            // Without every file (or with unreadable JSON) a merge would only add noise, such as removeRules ids "not found".
            if (documents.Count > 0 && !_diagnostics.Any(d => d.Code.StartsWith("GR1", StringComparison.Ordinal)))
            {
                merged = PolicyMerger.Merge(documents);
                PolicyValidator.ValidateMerged(merged, documents, _resourceReferences);
                origins = RuleExamples.Origins(merged, documents);
                if (!_diagnostics.Any(d => d.Severity == PolicyDiagnosticSeverity.Error))
                {
                    compiled = RuleExamples.CompileAndCheck(merged, documents, name, version ??= ComputeVersion());
                }
            }

            if (merged is null && !_diagnostics.Any(d => d.Severity == PolicyDiagnosticSeverity.Error))
            {
                // Unreachable by design; if it ever happens, "no policy" must not look like success.
                Report(Diagnostic("GR1999", "no policy document was produced", "This is a bug in Guardrails; please report it.", name));
            }

            return new PolicyLoadResult(name, merged, Ordered(), version ?? ComputeVersion(), [.. _files.Select(f => f.Source.Name)])
            {
                Compiled = compiled,
                RuleOrigins = origins,
            };
        }

        public PolicyLoadResult Fail(string name)
        {
            string version;
            try
            {
                version = ComputeVersion();
            }
#pragma warning disable CA1031 // Already failing closed; the version is informational.
            catch (Exception)
#pragma warning restore CA1031
            {
                version = new string('0', 16);
            }

            return new PolicyLoadResult(name, null, Ordered(), version, [.. _files.Select(f => f.Source.Name)]);
        }

        private static Source? Resolve(Source from, string entry, Origin origin)
        {
            if (entry.StartsWith(BuiltinPrefix, StringComparison.Ordinal))
            {
                var name = entry[BuiltinPrefix.Length..];
                if (!BuiltinNames.Contains(entry, StringComparer.Ordinal))
                {
                    origin.File.Error("GR1004", origin.Path, $"builtin policy '{entry}' does not exist",
                        BuiltinNames.Count == 0 ? "No builtin policies are embedded in this build." : $"Available: {string.Join(", ", BuiltinNames)}.");
                    return null;
                }

                return Source.ForBuiltin(name);
            }

            if (from.IsBuiltin || from.BaseDirectory is null)
            {
                origin.File.Error("GR1004", origin.Path, $"builtin policy '{from.Name}' extends the file '{entry}'; builtin policies can only extend other builtins",
                    "Use builtin:NAME in the extends of a builtin policy.");
                return null;
            }

            try
            {
                return Source.ForFile(Path.GetFullPath(entry, from.BaseDirectory));
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or IOException)
            {
                origin.File.Error("GR1004", origin.Path, $"base policy path '{entry}' is invalid: {PolicyValidator.TrimPeriod(ex.Message)}",
                    "Paths in extends are relative to the directory of the file that extends them.");
                return null;
            }
        }

        private byte[]? Read(Source source, Origin? origin)
        {
            try
            {
                if (source.Text is { } text)
                {
                    if (Encoding.UTF8.GetByteCount(text) > MaxFileBytes)
                    {
                        TooLarge(source, origin);
                        return null;
                    }

                    return Encoding.UTF8.GetBytes(text);
                }

                if (source.IsBuiltin)
                {
                    using var resource = ResourceAssembly.GetManifestResourceStream(ResourcePrefix + source.Name[BuiltinPrefix.Length..] + ResourceSuffix);
                    if (resource is null)
                    {
                        NotFound(source, origin, $"builtin policy '{source.Name}' does not exist",
                            BuiltinNames.Count == 0 ? "No builtin policies are embedded in this build." : $"Available: {string.Join(", ", BuiltinNames)}.");
                        return null;
                    }

                    return ReadBounded(resource, source, origin);
                }

                if (Directory.Exists(source.Key))
                {
                    NotFound(source, origin, $"'{source.Name}' is a directory, not a policy file", "Name the policy's .json file.");
                    return null;
                }

                if (!File.Exists(source.Key))
                {
                    NotFound(source, origin,
                        origin is null ? $"policy file not found: {source.Name}" : $"base policy '{origin.Entry}' not found: {source.Name}",
                        origin is null
                            ? $"Check the path, or use builtin:NAME for an embedded policy ({string.Join(", ", BuiltinNames)})."
                            : "Paths in extends are relative to the directory of the file that extends them.");
                    return null;
                }

                using var stream = new FileStream(source.Key, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.SequentialScan);
                return ReadBounded(stream, source, origin);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException)
            {
                NotFound(source, origin, $"cannot read '{source.Name}': {PolicyValidator.TrimPeriod(ex.Message)}",
                    "Check that the file exists and is readable by this process.");
                return null;
            }
        }

        // Reads at most MaxFileBytes + 1 bytes, so that a huge file, a device or a pipe cannot exhaust memory.
        private byte[]? ReadBounded(Stream stream, Source source, Origin? origin)
        {
            if (stream.CanSeek && stream.Length > MaxFileBytes)
            {
                TooLarge(source, origin);
                return null;
            }

            var buffer = new byte[stream.CanSeek ? (int)stream.Length + 1 : 64 * 1024];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > MaxFileBytes)
                    {
                        TooLarge(source, origin);
                        return null;
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxFileBytes + 1));
                }

                var read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > MaxFileBytes)
            {
                TooLarge(source, origin);
                return null;
            }

            Array.Resize(ref buffer, length);
            return buffer;
        }

        private void NotFound(Source source, Origin? origin, string message, string? help)
        {
            if (origin is null)
            {
                Report(Diagnostic("GR1003", message, help, source.Name));
            }
            else
            {
                origin.File.Error("GR1004", origin.Path, message, help);
            }
        }

        private void TooLarge(Source source, Origin? origin)
        {
            var message = $"'{source.Name}' is larger than the {MaxFileBytes / (1024 * 1024)} MiB limit for policy files";
            if (origin is null)
            {
                Report(Diagnostic("GR1007", message, "Split the policy into smaller files joined with extends.", source.Name));
            }
            else
            {
                origin.File.Error("GR1007", origin.Path, message, "Split the policy into smaller files joined with extends.");
            }
        }

        private LoadedFile Parse(Source source, byte[] bytes)
        {
            var json = new ReadOnlyMemory<byte>(bytes);
            if (json.Span.StartsWith("\uFEFF"u8))
            {
                json = json[3..];
            }

            if (IsBlank(json.Span))
            {
                return new LoadedFile(source, bytes, new PolicyDocument(), new PolicyFileContext(source.Name, JsonPositionIndex.Empty, _diagnostics));
            }

            PolicyDocument? document;
            try
            {
                document = JsonSerializer.Deserialize(json.Span, PolicyJsonContext.Default.PolicyDocument);
            }
            catch (JsonException ex)
            {
                // The reader of the index stops at syntax errors only, which tells them apart from type errors.
                var index = JsonPositionIndex.Build(json.Span, out var syntaxError);
                var failed = new PolicyFileContext(source.Name, index, _diagnostics);
                if (syntaxError is not null)
                {
                    var (line, column) = JsonPositionIndex.ToLineColumn(json.Span, syntaxError.LineNumber ?? 0, syntaxError.BytePositionInLine ?? 0);
                    failed.ReportAt("GR1001", PolicyDiagnosticSeverity.Error, null, $"invalid JSON: {ReaderMessage(syntaxError)}",
                        "Check for a missing or extra comma, colon, quote or bracket at or just before this position.", line, column);
                }
                else
                {
                    ReportTypeError(failed, json.Span, ex);
                }

                return new LoadedFile(source, bytes, null, failed);
            }
            catch (InvalidOperationException ex)
            {
                // Syntactically valid JSON whose text is not valid Unicode: an unpaired surrogate escape (\ud800) in a
                // property name or a string cannot be read as a string.
                var failed = new PolicyFileContext(source.Name, JsonPositionIndex.Empty, _diagnostics);
                failed.ReportAt("GR1001", PolicyDiagnosticSeverity.Error, null, $"invalid JSON: {PolicyValidator.TrimPeriod(ex.Message)}",
                    "Property names and strings must be valid Unicode: an escape \uD800-\uDBFF must be followed by one of \uDC00-\uDFFF.", 0, 0);
                return new LoadedFile(source, bytes, null, failed);
            }

            // Positions are only needed for diagnostics, so a clean file never pays for the index.
            var context = new PolicyFileContext(source.Name, new Lazy<JsonPositionIndex>(() => JsonPositionIndex.Build(json.Span, out _)), _diagnostics)
            {
                IsBuiltin = source.IsBuiltin,
            };
            if (document is null)
            {
                context.Error("GR1002", "$", "the policy is null, but it must be a JSON object", "Start from {} and add the sections you need.");
            }

            return new LoadedFile(source, bytes, document, context);
        }

        private static void ReportTypeError(PolicyFileContext context, ReadOnlySpan<byte> json, JsonException ex)
        {
            var path = ex.Path ?? "$";
            if (ex.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
                && JsonPositionIndex.TrySplitLast(path, out var parentPath, out var unknown, out _) && unknown is not null)
            {
                var names = PropertyNames(TypeAt(parentPath));
                context.Error("GR1002", path,
                    $"unknown property '{unknown}' in {Describe(parentPath)}; expected one of: {string.Join(", ", names)}",
                    PolicyValidator.Suggest(unknown, names) is { } near
                        ? $"Did you mean '{near}'? Property names are case-sensitive."
                        : "Remove the property or fix its name; property names are case-sensitive.");
                return;
            }

            var expected = Expected(TypeAt(path));
            var found = context.Index.TryGet(path, out var entry) ? Found(entry.TokenType) : null;
            var message = path == "$"
                ? $"the policy must be a JSON object" + (found is null ? string.Empty : $", but it is {found}")
                : $"{Describe(path)} must be {expected}" + (found is null ? string.Empty : found == "a number" && expected == "an integer"
                    ? ", but it is a number with a fraction, an exponent or outside the 32-bit range"
                    : $", but it is {found}");
            var help = $"Change the value to {expected}; docs/policy.schema.json describes the format.";
            if (context.Index.TryGet(path, out _))
            {
                context.Error("GR1002", path, message, help);
            }
            else
            {
                var (line, column) = JsonPositionIndex.ToLineColumn(json, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
                context.ReportAt("GR1002", PolicyDiagnosticSeverity.Error, path, message, help, line, column);
            }
        }

        private static JsonTypeInfo? TypeAt(string path)
        {
            if (path == "$")
            {
                return PolicyJsonContext.Default.PolicyDocument;
            }

            if (!JsonPositionIndex.TrySplitLast(path, out var parentPath, out var name, out _))
            {
                return null;
            }

            var parent = TypeAt(parentPath);
            var type = parent?.Kind switch
            {
                JsonTypeInfoKind.Object => parent.Properties.FirstOrDefault(p => p.Name == name)?.PropertyType,
                JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Enumerable => parent.ElementType,
                _ => null,
            };
            return type is null ? null : PolicyJsonContext.Default.GetTypeInfo(type);
        }

        private static string[] PropertyNames(JsonTypeInfo? type) =>
            type?.Kind == JsonTypeInfoKind.Object ? [.. type.Properties.Select(p => p.Name)] : [];

        private static string Expected(JsonTypeInfo? type)
        {
            if (type is null)
            {
                return "a different kind of value";
            }

            switch (type.Kind)
            {
                case JsonTypeInfoKind.Object:
                case JsonTypeInfoKind.Dictionary:
                    return "an object";
                case JsonTypeInfoKind.Enumerable:
                    var element = type.ElementType is null ? null : PolicyJsonContext.Default.GetTypeInfo(type.ElementType);
                    return element?.Kind is JsonTypeInfoKind.Object ? "an array of objects" : $"an array of {Plural(Expected(element))}";
                default:
                    var clr = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
                    return clr == typeof(string) ? "a string"
                        : clr == typeof(int) ? "an integer"
                        : clr == typeof(bool) ? "true or false"
                        : "a JSON value";
            }
        }

        private static string Plural(string expected) => expected switch
        {
            "a string" => "strings",
            "an integer" => "integers",
            "true or false" => "booleans",
            _ => "values",
        };

        private static string? Found(JsonTokenType token) => token switch
        {
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            _ => null,
        };

        // "$.self.sefl" → "'self'"; "$" → "the policy".
        private static string Describe(string path) => path == "$" ? "the policy" : $"'{path[(path.StartsWith("$.", StringComparison.Ordinal) ? 2 : 1)..]}'";

        // System.Text.Json appends " LineNumber: … | BytePositionInLine: …" (and "Path: …"); the diagnostic carries those itself.
        private static string ReaderMessage(JsonException ex)
        {
            var message = ex.Message;
            foreach (var marker in new[] { " Path: ", " LineNumber: " })
            {
                var at = message.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    message = message[..at];
                }
            }

            return PolicyValidator.TrimPeriod(message);
        }

        // An empty file, or one with only white space and comments, is the empty policy {}.
        private static bool IsBlank(ReadOnlySpan<byte> json)
        {
            var i = 0;
            while (i < json.Length)
            {
                var b = json[i];
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    i++;
                }
                else if (b == (byte)'/' && i + 1 < json.Length && json[i + 1] == (byte)'/')
                {
                    var end = json[i..].IndexOf((byte)'\n');
                    i = end < 0 ? json.Length : i + end + 1;
                }
                else if (b == (byte)'/' && i + 1 < json.Length && json[i + 1] == (byte)'*')
                {
                    var end = json[(i + 2)..].IndexOf("*/"u8);
                    if (end < 0)
                    {
                        return false;
                    }

                    i += end + 4;
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        private string ComputeVersion()
        {
            // A builtin policy on its own: its hash was computed at build time (the same SHA-256 of the same bytes).
            if (_files is [{ Source.IsBuiltin: true } only] && BuiltinPolicyHashes.Get(only.Source.Name[BuiltinPrefix.Length..]) is { } precomputed)
            {
                return precomputed[..16].ToLowerInvariant();
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (var i = 0; i < _files.Count; i++)
            {
                if (i > 0)
                {
                    hash.AppendData([0]);
                }

                hash.AppendData(_files[i].Bytes);
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        }

        // File order: files in load order (diagnostics about files that were never read first), then line and column.
        private List<PolicyDiagnostic> Ordered()
        {
            var rank = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var file in _files)
            {
                rank.TryAdd(file.Source.Name, rank.Count);
            }

            return
            [
                .. _diagnostics
                    .Select((d, sequence) => (Diagnostic: d, Sequence: sequence))
                    .OrderBy(x => x.Diagnostic.File is { } f && rank.TryGetValue(f, out var r) ? r : -1)
                    .ThenBy(x => x.Diagnostic.Line)
                    .ThenBy(x => x.Diagnostic.Column)
                    .ThenBy(x => x.Sequence)
                    .Select(x => x.Diagnostic),
            ];
        }
    }
}
