using System.Text.Json;

namespace Guardrails.Cli.Tests;

/// <summary>The result of one run of the CLI entry point with in-memory streams.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Gets the lines of standard output (without the final empty one).</summary>
    public IReadOnlyList<string> Lines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    /// <summary>Gets the standard output lines parsed as JSON objects.</summary>
    public IReadOnlyList<JsonElement> Answers => [.. Lines.Select(line => JsonDocument.Parse(line).RootElement)];
}

/// <summary>Runs <see cref="CliApp.Run"/>, the real entry point, with strings for standard input and output.</summary>
internal static class CliRunner
{
    public static CliResult Run(string stdin, params string[] args) => Run(new StringReader(stdin), args);

    public static CliResult Run(TextReader stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = CliApp.Run(args, stdin, stdout, stderr);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Builds one input line for <c>guardrails evaluate</c> with a shell command.</summary>
    public static string Line(string id, string command, string tool = "bash")
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("tool", tool);
            writer.WriteStartObject("arguments");
            writer.WriteString("command", command);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Evaluates one shell command through <c>guardrails evaluate</c> and returns its answer.</summary>
    public static JsonElement EvaluateOne(string command, params string[] args)
    {
        var result = Run(Line("c1", command) + "\n", ["evaluate", .. args]);
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Answers.Should().ContainSingle();
        return result.Answers[0];
    }
}

/// <summary>A temporary directory deleted when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("guardrails-cli-tests-").FullName;
    }

    public string Path { get; }

    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public string File(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Helpers for the JSON answers.</summary>
internal static class JsonAssertions
{
    public static string[] Strings(this JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    public static string[] PropertyNames(this JsonElement element) =>
        [.. element.EnumerateObject().Select(p => p.Name)];
}
