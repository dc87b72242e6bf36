using System.Diagnostics;
using System.Text.Json;

namespace Guardrails.Cli.Tests;

public sealed class ProcessTests
{
    [Fact]
    public async Task Main_Evaluate_AnswersLinesPipedThroughTheRealProcess()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Guardrails.Cli.dll");
        File.Exists(cli).Should().BeTrue("the test project references the CLI project, which copies it here");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("evaluate");
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(
            CliRunner.Line("a", "ls -la") + "\n" +
            CliRunner.Line("b", "cp -r /models/qwen /tmp/q") + "\n" +
            "{\"id\": \"c\"}\n");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        process.ExitCode.Should().Be(0, await stderr);
        var lines = (await stdout).TrimEnd('\n').Split('\n');
        lines.Should().HaveCount(3);
        var answers = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        answers.Select(a => a.GetProperty("id").GetString()).Should().Equal("a", "b", "c");
        answers.Select(a => a.GetProperty("decision").GetString()).Should().Equal("allow", "deny", "deny");
        answers[2].GetProperty("error").GetString().Should().Be("line 3: missing 'tool'");
    }
}
