using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Guardrails.Policies;

namespace Guardrails.Verification;

/// <summary>
/// Represents a declarative policy test file (<c>*.guardrails-tests.json</c>): the policy under test and the cases it
/// must pass. See <c>docs/testing-policies.md</c> for the format.
/// </summary>
/// <remarks>
/// <para>Instances are immutable. Problems in a test file are reported all at once as <see cref="PolicyDiagnostic"/>s
/// with file, line, column and JSON path, using codes <c>GR3xxx</c>:</para>
/// <list type="table">
///   <item><term>GR3001</term><description>The file is not well-formed JSON.</description></item>
///   <item><term>GR3002</term><description>A value has the wrong type, a property is unknown or missing.</description></item>
///   <item><term>GR3003</term><description>The file does not exist or cannot be read.</description></item>
///   <item><term>GR3004</term><description>Two cases have the same name.</description></item>
///   <item><term>GR3005</term><description>An <c>expect</c> value is not <c>allow</c>, <c>escalate</c>, <c>deny</c> or <c>block</c>.</description></item>
///   <item><term>GR3006</term><description>A case has none, or more than one, of <c>command</c>, <c>call</c> and <c>session</c>.</description></item>
/// </list>
/// </remarks>
public sealed class PolicyTestSuite
{
    /// <summary>The file-name suffix that marks a policy test file.</summary>
    public const string FileSuffix = ".guardrails-tests.json";

    /// <summary>The policy used when a test file names none.</summary>
    public const string DefaultPolicy = "builtin:default";

    /// <summary>The largest test file read (16 MiB).</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    private PolicyTestSuite(string path, string? policy, string? description, IReadOnlyList<PolicyTestCase> cases)
    {
        Path = path;
        Policy = policy;
        Description = description;
        Cases = cases;
    }

    /// <summary>Gets the path of the test file (or the name it was parsed under).</summary>
    public string Path { get; }

    /// <summary>
    /// Gets the policy the file tests: <c>builtin:NAME</c> or the full path of a policy file (relative paths are resolved
    /// against the test file's directory); <see langword="null"/> when the file names none (<see cref="DefaultPolicy"/> applies).
    /// </summary>
    public string? Policy { get; }

    /// <summary>Gets the file's description, if any.</summary>
    public string? Description { get; }

    /// <summary>Gets the cases, in file order.</summary>
    public IReadOnlyList<PolicyTestCase> Cases { get; }

    /// <summary>Loads a test file.</summary>
    /// <param name="path">The path of the file.</param>
    /// <returns>The suite.</returns>
    /// <exception cref="PolicyLoadException">The file cannot be read or is invalid; the exception lists every problem.</exception>
    public static PolicyTestSuite Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return TryLoad(path, out var suite, out var diagnostics) ? suite : throw Failure(path, diagnostics);
    }

    /// <summary>Parses a test file held in memory.</summary>
    /// <param name="json">The file's JSON text.</param>
    /// <param name="path">The name used in diagnostics and case locations.</param>
    /// <param name="baseDirectory">The directory a relative <c>policy</c> path resolves against; the current directory when <see langword="null"/>.</param>
    /// <returns>The suite.</returns>
    /// <exception cref="PolicyLoadException">The text is not a valid test file.</exception>
    public static PolicyTestSuite Parse(string json, string path = "(inline)", string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(path);
        var diagnostics = new List<PolicyDiagnostic>();
        var suite = ParseCore(Encoding.UTF8.GetBytes(json), path, baseDirectory ?? Directory.GetCurrentDirectory(), diagnostics);
        return suite ?? throw Failure(path, diagnostics);
    }

    /// <summary>Tries to load a test file, reporting problems instead of throwing.</summary>
    /// <param name="path">The path of the file.</param>
    /// <param name="suite">The suite, when the file is valid.</param>
    /// <param name="diagnostics">Every problem found.</param>
    /// <returns><see langword="true"/> when the file is valid.</returns>
    public static bool TryLoad(string path, [NotNullWhen(true)] out PolicyTestSuite? suite, out IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(path);
        var list = new List<PolicyDiagnostic>();
        diagnostics = list;
        suite = null;
        string fullPath;
        byte[] bytes;
        try
        {
            fullPath = System.IO.Path.GetFullPath(path);
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                list.Add(new PolicyDiagnostic("GR3003", PolicyDiagnosticSeverity.Error, $"test file not found: {path}", "Check the path.", path, 0, 0, null));
                return false;
            }

            if (info.Length > MaxFileBytes)
            {
                list.Add(new PolicyDiagnostic("GR3003", PolicyDiagnosticSeverity.Error, $"test file '{path}' is larger than {MaxFileBytes / (1024 * 1024)} MiB", "Split it into several files.", path, 0, 0, null));
                return false;
            }

            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            list.Add(new PolicyDiagnostic("GR3003", PolicyDiagnosticSeverity.Error, $"cannot read test file '{path}': {ex.Message.TrimEnd('.')}", "Check that the file exists and is readable.", path, 0, 0, null));
            return false;
        }

        suite = ParseCore(bytes, fullPath, System.IO.Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory(), list);
        return suite is not null;
    }

    /// <summary>Finds test files: a file path is returned as is; a directory is searched recursively for <c>*.guardrails-tests.json</c>.</summary>
    /// <param name="paths">Files and directories.</param>
    /// <returns>The files, each once, directories' files in ordinal order.</returns>
    /// <exception cref="IOException">A directory cannot be listed.</exception>
    public static IReadOnlyList<string> Discover(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*" + FileSuffix, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseSensitive })
                    .Where(f => !IsBuildOutput(System.IO.Path.GetRelativePath(path, f)))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    if (seen.Add(System.IO.Path.GetFullPath(file)))
                    {
                        result.Add(file);
                    }
                }
            }
            else if (seen.Add(System.IO.Path.GetFullPath(path)))
            {
                result.Add(path);
            }
        }

        return result;
    }

    // Below the searched directory, build output and VCS folders hold copies, not sources.
    private static bool IsBuildOutput(string relativePath)
    {
        var segments = relativePath.Replace('\\', '/').Split('/');
        return segments.Take(segments.Length - 1).Any(s => s is "bin" or "obj" or ".git" or "node_modules");
    }

    private static PolicyLoadException Failure(string path, IReadOnlyList<PolicyDiagnostic> diagnostics) =>
        new($"Policy test file '{path}' is invalid:", diagnostics);

    private static PolicyTestSuite? ParseCore(byte[] bytes, string path, string baseDirectory, List<PolicyDiagnostic> diagnostics)
    {
        ReadOnlyMemory<byte> json = bytes;
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        var index = JsonPositionIndex.Build(json.Span, out var syntaxError);
        var reader = new Reader(path, index, diagnostics);
        if (syntaxError is not null)
        {
            var (line, column) = JsonPositionIndex.ToLineColumn(json.Span, syntaxError.LineNumber ?? 0, syntaxError.BytePositionInLine ?? 0);
            var message = syntaxError.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            diagnostics.Add(new PolicyDiagnostic("GR3001", PolicyDiagnosticSeverity.Error, "invalid JSON: " + (cut > 0 ? message[..cut] : message).TrimEnd().TrimEnd('.'),
                "Check for a missing or extra comma, colon, quote or bracket at or just before this position.", path, line, column, null));
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            diagnostics.Add(new PolicyDiagnostic("GR3001", PolicyDiagnosticSeverity.Error, "invalid JSON: " + ex.Message, null, path, 0, 0, null));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reader.Error("GR3002", "$", "a policy test file must be a JSON object with \"cases\"", "Start from {\"policy\": \"policy.json\", \"cases\": []}.");
                return null;
            }

            string? policy = null;
            string? description = null;
            var cases = new List<PolicyTestCase>();
            var sawCases = false;
            foreach (var property in root.EnumerateObject())
            {
                var propertyPath = JsonPositionIndex.Property("$", property.Name);
                switch (property.Name)
                {
                    case "$schema":
                        break;
                    case "policy":
                        if (reader.String(property.Value, propertyPath, "the policy") is { } reference)
                        {
                            policy = ResolvePolicy(reference, baseDirectory, reader, propertyPath);
                        }

                        break;
                    case "description":
                        description = reader.String(property.Value, propertyPath, "the description");
                        break;
                    case "cases":
                        sawCases = true;
                        if (property.Value.ValueKind != JsonValueKind.Array)
                        {
                            reader.Error("GR3002", propertyPath, "'cases' must be an array of cases", "Write \"cases\": [{\"name\": …, \"command\": …, \"expect\": \"deny\"}].");
                            break;
                        }

                        var i = 0;
                        var names = new Dictionary<string, int>(StringComparer.Ordinal);
                        foreach (var element in property.Value.EnumerateArray())
                        {
                            var casePath = JsonPositionIndex.Element(propertyPath, i);
                            if (ReadCase(element, casePath, i, reader) is { } testCase)
                            {
                                if (names.TryGetValue(testCase.Name, out var first))
                                {
                                    reader.Error("GR3004", casePath + ".name", $"case name '{testCase.Name}' is already used by cases[{first}]", "Give every case its own name: test runners and reports identify cases by name.");
                                }
                                else
                                {
                                    names[testCase.Name] = i;
                                    cases.Add(testCase);
                                }
                            }

                            i++;
                        }

                        break;
                    default:
                        reader.Unknown(propertyPath, property.Name, ["$schema", "policy", "description", "cases"], "the test file");
                        break;
                }
            }

            if (!sawCases)
            {
                reader.Error("GR3002", "$", "the test file has no \"cases\"", "Add \"cases\": [{\"name\": …, \"command\": …, \"expect\": \"deny\"}].");
            }

            return reader.HasErrors ? null : new PolicyTestSuite(path, policy, description, cases);
        }
    }

    private static string? ResolvePolicy(string reference, string baseDirectory, Reader reader, string path)
    {
        if (reference.StartsWith(PolicyLoader.BuiltinPrefix, StringComparison.Ordinal))
        {
            return reference;
        }

        try
        {
            return System.IO.Path.GetFullPath(reference, baseDirectory);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            reader.Error("GR3002", path, $"policy path '{reference}' is invalid: {ex.Message.TrimEnd('.')}", "Use a path relative to the test file, or builtin:NAME.");
            return null;
        }
    }

    private static readonly string[] CaseProperties = ["name", "description", "command", "tool", "call", "session", "cwd", "expect", "rules", "notRules", "mutate"];
    private static readonly string[] CallProperties = ["tool", "arguments", "cwd"];
    private static readonly string[] StepProperties = ["command", "tool", "arguments", "cwd", "expect"];

    private static PolicyTestCase? ReadCase(JsonElement element, string path, int index, Reader reader)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            reader.Error("GR3002", path, "a case must be an object", "Write {\"name\": …, \"command\": …, \"expect\": \"deny\"}.");
            return null;
        }

        var errors = reader.ErrorCount;
        string? name = null;
        string? command = null;
        string? tool = null;
        string? cwd = null;
        JsonElement? call = null;
        JsonElement? session = null;
        ExpectedVerdict? expect = null;
        IReadOnlyList<string> rules = [];
        IReadOnlyList<string> notRules = [];
        var mutate = true;
        foreach (var property in element.EnumerateObject())
        {
            var propertyPath = JsonPositionIndex.Property(path, property.Name);
            switch (property.Name)
            {
                case "name":
                    name = reader.String(property.Value, propertyPath, "the case name");
                    break;
                case "description":
                    reader.String(property.Value, propertyPath, "the description");
                    break;
                case "command":
                    command = reader.String(property.Value, propertyPath, "the command");
                    break;
                case "tool":
                    tool = reader.String(property.Value, propertyPath, "the tool name");
                    break;
                case "cwd":
                    cwd = reader.String(property.Value, propertyPath, "the working directory");
                    break;
                case "call":
                    call = property.Value;
                    break;
                case "session":
                    session = property.Value;
                    break;
                case "expect":
                    expect = reader.Expectation(property.Value, propertyPath);
                    break;
                case "rules":
                    rules = reader.Strings(property.Value, propertyPath, "rule ids");
                    break;
                case "notRules":
                    notRules = reader.Strings(property.Value, propertyPath, "rule ids");
                    break;
                case "mutate":
                    if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        mutate = property.Value.GetBoolean();
                    }
                    else
                    {
                        reader.Error("GR3002", propertyPath, "'mutate' must be true or false", null);
                    }

                    break;
                default:
                    reader.Unknown(propertyPath, property.Name, CaseProperties, "a case");
                    break;
            }
        }

        var label = name is null ? $"cases[{index}]" : $"case '{name}'";
        if (name is null && reader.ErrorCount == errors)
        {
            reader.Error("GR3002", path, $"{label} has no \"name\"", "Name every case: reports and xunit theories show the name.");
        }

        if (expect is null && reader.ErrorCount == errors)
        {
            reader.Error("GR3002", path, $"{label} has no \"expect\"", "Add \"expect\": \"allow\", \"escalate\", \"deny\" or \"block\" (escalate or deny).");
        }

        var forms = (command is not null ? 1 : 0) + (call is not null ? 1 : 0) + (session is not null ? 1 : 0);
        if (forms != 1)
        {
            reader.Error("GR3006", path, forms == 0 ? $"{label} has no tool call" : $"{label} has more than one of \"command\", \"call\" and \"session\"",
                "Give exactly one: \"command\" (a shell command), \"call\" ({\"tool\", \"arguments\"}) or \"session\" (a list of commands or calls).");
            return null;
        }

        if (tool is not null && command is null)
        {
            reader.Error("GR3002", JsonPositionIndex.Property(path, "tool"), $"\"tool\" of {label} only applies to \"command\"", "Put the tool name inside \"call\" or the session's steps.");
        }

        var sessionId = "guardrails-test:" + (name ?? index.ToString(CultureInfo.InvariantCulture));
        var steps = new List<PolicyTestStep>();
        if (command is not null)
        {
            steps.Add(new PolicyTestStep(ShellCall(tool ?? "bash", command, cwd, sessionId, 1), command, null));
        }
        else if (call is { } callElement)
        {
            if (ReadCall(callElement, JsonPositionIndex.Property(path, "call"), cwd, sessionId, 1, reader, CallProperties) is { } step)
            {
                steps.Add(step);
            }
        }
        else if (session is { } sessionElement)
        {
            var sessionPath = JsonPositionIndex.Property(path, "session");
            if (sessionElement.ValueKind != JsonValueKind.Array || sessionElement.GetArrayLength() == 0)
            {
                reader.Error("GR3002", sessionPath, $"\"session\" of {label} must be a non-empty array of commands or calls", null);
            }
            else
            {
                var i = 0;
                foreach (var item in sessionElement.EnumerateArray())
                {
                    var itemPath = JsonPositionIndex.Element(sessionPath, i++);
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        var text = reader.String(item, itemPath, "the command");
                        if (text is not null)
                        {
                            steps.Add(new PolicyTestStep(ShellCall("bash", text, cwd, sessionId, i), text, null));
                        }
                    }
                    else if (ReadCall(item, itemPath, cwd, sessionId, i, reader, StepProperties) is { } step)
                    {
                        steps.Add(step);
                    }
                }
            }
        }

        if (reader.ErrorCount != errors || name is null || expect is null)
        {
            return null;
        }

        var (line, column) = reader.Index.Locate(path);
        return new PolicyTestCase(name, steps, expect.Value, rules, notRules, mutate, reader.File, line, column);
    }

    private static PolicyTestStep? ReadCall(JsonElement element, string path, string? defaultCwd, string sessionId, int number, Reader reader, string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            reader.Error("GR3002", path, "a call must be an object such as {\"tool\": \"write_file\", \"arguments\": {…}}", null);
            return null;
        }

        string? tool = null;
        string? command = null;
        var cwd = defaultCwd;
        JsonElement? arguments = null;
        ExpectedVerdict? expect = null;
        foreach (var property in element.EnumerateObject())
        {
            var propertyPath = JsonPositionIndex.Property(path, property.Name);
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                reader.Unknown(propertyPath, property.Name, allowed, "a call");
                continue;
            }

            switch (property.Name)
            {
                case "tool":
                    tool = reader.String(property.Value, propertyPath, "the tool name");
                    break;
                case "command":
                    command = reader.String(property.Value, propertyPath, "the command");
                    break;
                case "cwd":
                    cwd = reader.String(property.Value, propertyPath, "the working directory");
                    break;
                case "arguments":
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        arguments = property.Value.Clone();
                    }
                    else
                    {
                        reader.Error("GR3002", propertyPath, "'arguments' must be a JSON object", null);
                    }

                    break;
                case "expect":
                    expect = reader.Expectation(property.Value, propertyPath);
                    break;
            }
        }

        if (command is not null)
        {
            if (arguments is not null)
            {
                reader.Error("GR3002", path, "a step has both \"command\" and \"arguments\"", "Use \"command\" for a shell command, or \"tool\" and \"arguments\" for any other call.");
                return null;
            }

            return new PolicyTestStep(ShellCall(tool ?? "bash", command, cwd, sessionId, number), command, expect);
        }

        if (tool is null || arguments is null)
        {
            reader.Error("GR3002", path, tool is null ? "the call has no \"tool\"" : "the call has no \"arguments\"", "Write {\"tool\": \"write_file\", \"arguments\": {\"file_path\": \"…\", \"content\": \"…\"}}.");
            return null;
        }

        var call = new ToolCall(tool, arguments.Value)
        {
            WorkingDirectory = cwd,
            SessionId = sessionId,
            CallId = sessionId + "#" + number.ToString(CultureInfo.InvariantCulture),
        };
        return new PolicyTestStep(call, null, expect);
    }

    internal static ToolCall ShellCall(string tool, string command, string? cwd, string sessionId, int number)
    {
        var shell = ToolCall.Shell(command, cwd);
        return new ToolCall(tool, shell.Arguments)
        {
            WorkingDirectory = cwd,
            SessionId = sessionId,
            CallId = sessionId + "#" + number.ToString(CultureInfo.InvariantCulture),
        };
    }

    internal static bool TryParseExpectation(string? text, out ExpectedVerdict expectation)
    {
        switch (text)
        {
            case "allow":
                expectation = ExpectedVerdict.Allow;
                return true;
            case "escalate":
                expectation = ExpectedVerdict.Escalate;
                return true;
            case "deny":
                expectation = ExpectedVerdict.Deny;
                return true;
            case "block":
                expectation = ExpectedVerdict.Block;
                return true;
            default:
                expectation = default;
                return false;
        }
    }

    /// <summary>Reads values and reports problems at their positions.</summary>
    private sealed class Reader(string file, JsonPositionIndex index, List<PolicyDiagnostic> diagnostics)
    {
        public string File => file;

        public JsonPositionIndex Index => index;

        public int ErrorCount { get; private set; }

        public bool HasErrors => ErrorCount > 0;

        public void Error(string code, string path, string message, string? help)
        {
            ErrorCount++;
            var (line, column) = index.Locate(path);
            diagnostics.Add(new PolicyDiagnostic(code, PolicyDiagnosticSeverity.Error, message, help, file, line, column, path));
        }

        public void Unknown(string path, string name, string[] allowed, string where)
        {
            var near = PolicyValidator.Suggest(name, allowed);
            Error("GR3002", path, $"unknown property '{name}' in {where}; expected one of: {string.Join(", ", allowed.Where(a => a != "$schema"))}",
                near is null ? "Remove the property or fix its name; names are case-sensitive." : $"Did you mean '{near}'?");
        }

        public string? String(JsonElement value, string path, string what)
        {
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
            {
                return text;
            }

            Error("GR3002", path, $"{what} must be a non-empty string", null);
            return null;
        }

        public List<string> Strings(JsonElement value, string path, string what)
        {
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } single)
            {
                return [single];
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                Error("GR3002", path, $"{what} must be an array of strings", null);
                return [];
            }

            var list = new List<string>();
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (String(item, JsonPositionIndex.Element(path, i++), what[..^1]) is { } text)
                {
                    list.Add(text);
                }
            }

            return list;
        }

        public ExpectedVerdict? Expectation(JsonElement value, string path)
        {
            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (TryParseExpectation(text, out var expectation))
            {
                return expectation;
            }

            ErrorCount++;
            var (line, column) = index.Locate(path);
            diagnostics.Add(new PolicyDiagnostic("GR3005", PolicyDiagnosticSeverity.Error,
                $"unknown expectation {(text is null ? value.GetRawText() : "'" + text + "'")}; expected allow, escalate, deny or block",
                text is not null && PolicyValidator.Suggest(text, ["allow", "escalate", "deny", "block"]) is { } near ? $"Did you mean '{near}'?" : "block means escalate or deny.",
                file, line, column, path));
            return null;
        }
    }
}
