using System.Net;
using System.Text;
using System.Text.Json;
using Guardrails.Cli.Commands;

namespace Guardrails.Cli.Tests.Commands;

/// <summary>
/// Runs <c>guardrails serve</c> through <see cref="CliApp.Run"/> on a background thread, bound to 127.0.0.1 port 0, and
/// drives it over loopback. Nothing waits for a fixed time: every wait polls a condition a bounded number of times.
/// </summary>
public sealed class ServeCommandTests
{
    private const int MaxPolls = 600;

    private const string Policy =
        """{ "extends": ["builtin:default"], "rules": [ { "id": "team.pip", "message": "installs packages", "effect": "escalate", "when": { "programs": ["pip"] } } ] }""";

    [Fact]
    public async Task Serve_DecideBatchAndHealth_AnswerInTheEvaluateContract()
    {
        using var temp = new TempDirectory();
        await using var server = await Server.StartAsync("--policy", temp.File("p.json", Policy));

        var decision = await server.PostAsync("/v1/decide", """{"id": "c1", "session": "s1", "tool": "bash", "arguments": {"command": "nohup vllm serve /models/qwen --port 8001 &"}, "cwd": "/home/agent"}""");
        decision.Status.Should().Be(HttpStatusCode.OK);
        decision.Json.PropertyNames().Should().Equal("id", "decision", "score", "rules", "reasons");
        decision.Json.GetProperty("id").GetString().Should().Be("c1");
        decision.Json.GetProperty("decision").GetString().Should().Be("deny");
        decision.Json.Strings("rules").Should().Contain("replica.launch.detached");

        var batch = await server.PostAsync("/v1/decide/batch", $"[{CliRunner.Line("a", "ls")}, {CliRunner.Line("b", "pip install x")}, {{\"id\": \"c\", \"tool\": \"bash\"}}]");
        batch.Status.Should().Be(HttpStatusCode.OK);
        batch.Json.EnumerateArray().Select(a => (a.GetProperty("id").GetString(), a.GetProperty("decision").GetString()))
            .Should().Equal(("a", "allow"), ("b", "escalate"), ("c", "deny"));

        var health = await server.GetAsync("/healthz");
        health.Status.Should().Be(HttpStatusCode.OK);
        health.Json.GetProperty("status").GetString().Should().Be("ok");
        health.Json.GetProperty("version").GetString().Should().MatchRegex("^[0-9a-f]{16}$");
    }

    [Fact]
    public async Task Serve_MalformedCall_IsDeniedWithStatus400()
    {
        await using var server = await Server.StartAsync();

        var answer = await server.PostAsync("/v1/decide", """{"id": "x", "tool": "bash", "arguments": [1]}""");

        answer.Status.Should().Be(HttpStatusCode.BadRequest);
        answer.Json.GetProperty("decision").GetString().Should().Be("deny");
        answer.Json.Strings("rules").Should().Equal("guardrails.input.malformed");
        (await server.PostAsync("/v1/decide/batch", "{}")).Status.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Serve_PolicyFileRewritten_ReloadsAtomicallyAndRejectsABrokenFile()
    {
        using var temp = new TempDirectory();
        var path = temp.File("p.json", Policy);
        await using var server = await Server.StartAsync("--policy", path, "--poll-interval", "0.1");
        var pip = CliRunner.Line("c", "pip install requests");
        (await server.DecisionOf(pip)).Should().Be("escalate");
        var firstVersion = (await server.GetAsync("/healthz")).Json.GetProperty("version").GetString();

        // A broken file is rejected: the old policy stays in service and keeps deciding.
        await File.WriteAllTextAsync(path, "{ \"rules\": [ { \"id\": ");
        var rejected = await server.PollHealthAsync(h => h.GetProperty("rejectedReloads").GetInt32() == 1);
        rejected.GetProperty("version").GetString().Should().Be(firstVersion);
        rejected.GetProperty("lastError").GetString().Should().Contain("GR1001");
        (await server.DecisionOf(pip)).Should().Be("escalate");
        server.Log.Should().Contain("does not load; the previous policy stays in service");

        // A good file replaces it.
        await File.WriteAllTextAsync(path, Policy.Replace("\"escalate\"", "\"deny\"", StringComparison.Ordinal));
        var reloaded = await server.PollHealthAsync(h => h.GetProperty("reloads").GetInt32() == 1);
        reloaded.GetProperty("version").GetString().Should().NotBe(firstVersion);
        reloaded.GetProperty("lastError").ValueKind.Should().Be(JsonValueKind.Null);
        (await server.DecisionOf(pip)).Should().Be("deny");
    }

    [Fact]
    public async Task Serve_PolicyRewrittenBrokenOrDeletedWhileDeciding_NeverLeavesTheLastGoodPolicy()
    {
        using var temp = new TempDirectory();
        var path = temp.File("p.json", Policy);
        var denying = Policy.Replace("\"escalate\"", "\"deny\"", StringComparison.Ordinal);
        await using var server = await Server.StartAsync("--policy", path, "--poll-interval", "0.05");
        var pip = CliRunner.Line("c", "pip install requests");
        var stop = 0;
        var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var answers = new List<string?>();
            while (Volatile.Read(ref stop) == 0)
            {
                answers.Add(await server.DecisionOf(pip));
            }

            return answers;
        })).ToArray();

        for (var round = 1; round <= 4; round++)
        {
            // Written in place (not renamed), so the service may also see the file half-written: that never loads.
            var good = round % 2 == 0 ? Policy : denying;
            await File.WriteAllTextAsync(path, "{ \"rules\": [ { \"id\": " + round);
            await server.PollHealthAsync(h => h.GetProperty("lastError").ValueKind == JsonValueKind.String);
            await File.WriteAllTextAsync(path, good);
            var version = GuardPolicy.Parse(good).Version;
            await server.PollHealthAsync(h => h.GetProperty("version").GetString() == version && h.GetProperty("lastError").ValueKind == JsonValueKind.Null);
        }

        File.Delete(path);
        (await server.DecisionOf(pip)).Should().Be("escalate", "deleting the policy file leaves the last good policy in service");
        Interlocked.Exchange(ref stop, 1);
        var all = (await Task.WhenAll(clients)).SelectMany(a => a).ToList();

        all.Should().NotBeEmpty().And.OnlyContain(a => a == "escalate" || a == "deny", "a broken or missing policy never decides");
        (await server.GetAsync("/healthz")).Json.GetProperty("reloads").GetInt32().Should().BeGreaterThanOrEqualTo(4);
    }

    [Fact]
    public async Task Serve_PolicyThatDoesNotLoad_StartsFailClosed()
    {
        using var temp = new TempDirectory();
        await using var server = await Server.StartAsync("--policy", temp.File("p.json", "{ broken"));

        var health = await server.GetAsync("/healthz");
        health.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        health.Json.GetProperty("status").GetString().Should().Be("fail-closed");
        (await server.DecisionOf(CliRunner.Line("a", "ls"))).Should().Be("deny");
    }

    [Fact]
    public async Task Hook_WithServer_SharesTheSessionAcrossHookProcesses()
    {
        await using var server = await Server.StartAsync();
        var write = Hooks.HookSamples.Claude("Bash", """{"command": "printf 'cp -r /models/qwen /tmp/q' > /tmp/job.sh"}""");
        var run = Hooks.HookSamples.Claude("Bash", """{"command": "bash /tmp/job.sh"}""");

        var alone = CliRunner.Run(run, "hook");
        var first = CliRunner.Run(write, "hook", "--server", server.Address);
        var second = CliRunner.Run(run, "hook", "--server", server.Address);

        Decision(alone).Should().Be("allow", "without the session, the script's content is unknown");
        Decision(first).Should().Be("allow");
        Decision(second).Should().BeOneOf("deny", "ask");
        JsonDocument.Parse(second.Stdout).RootElement.GetProperty("hookSpecificOutput").GetProperty("permissionDecisionReason").GetString()
            .Should().Contain("policy guardrails serve");
    }

    [Fact]
    public void Hook_WithUnreachableServer_Blocks()
    {
        var result = CliRunner.Run(Hooks.HookSamples.Claude("Bash", """{"command": "ls"}"""), "hook", "--server", "http://127.0.0.1:1");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("the decision service at http://127.0.0.1:1/ did not answer");
    }

    private static string? Decision(CliResult result)
    {
        result.ExitCode.Should().Be(0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("hookSpecificOutput").GetProperty("permissionDecision").GetString();
    }

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:8080")]
    [InlineData("--urls", "http://example.com:80")]
    [InlineData("--port", "99999")]
    [InlineData("--poll-interval", "0")]
    public void Serve_BadOrRemoteAddress_IsAUsageError(string option, string value)
    {
        var result = CliRunner.Run(string.Empty, "serve", option, value);

        result.ExitCode.Should().Be(64);
    }

    /// <summary>A running <c>guardrails serve</c> and an HTTP client for it.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly SynchronizedWriter _stdout = new();
        private readonly SynchronizedWriter _stderr = new();
        private readonly HttpClient _client = new();
        private Task<int>? _run;

        public string Log => _stderr.Text;

        public string Address => _client.BaseAddress!.ToString();

        public static async Task<Server> StartAsync(params string[] args)
        {
            var server = new Server();
            var token = server._stop.Token;
            server._run = Task.Factory.StartNew(
                () =>
                {
                    ServeCommand.StopToken.Value = token;
                    return CliApp.Run(["serve", "--port", "0", .. args], new StringReader(string.Empty), server._stdout, server._stderr);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);

            for (var i = 0; i < MaxPolls; i++)
            {
                var line = server._stdout.Text.Split('\n').FirstOrDefault(l => l.StartsWith("listening on ", StringComparison.Ordinal));
                if (line is not null)
                {
                    server._client.BaseAddress = new Uri(line["listening on ".Length..].Trim());
                    return server;
                }

                if (server._run.IsCompleted)
                {
                    throw new InvalidOperationException($"serve exited with {await server._run}: {server._stderr.Text}");
                }

                await Task.Delay(10);
            }

            throw new TimeoutException("serve did not announce its address; log: " + server._stderr.Text);
        }

        public async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string body)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        public async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string path)
        {
            using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        public async Task<string?> DecisionOf(string line) => (await PostAsync("/v1/decide", line)).Json.GetProperty("decision").GetString();

        public async Task<JsonElement> PollHealthAsync(Func<JsonElement, bool> condition)
        {
            for (var i = 0; i < MaxPolls; i++)
            {
                var health = (await GetAsync("/healthz")).Json;
                if (condition(health))
                {
                    return health;
                }

                await Task.Delay(10);
            }

            throw new TimeoutException("the condition never held; log: " + _stderr.Text);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null)
            {
                (await _run).Should().Be(0, _stderr.Text);
            }

            _client.Dispose();
            _stop.Dispose();
            _stdout.Dispose();
            _stderr.Dispose();
        }
    }

    /// <summary>A text writer that several threads may write to while a test reads what was written.</summary>
    private sealed class SynchronizedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }
    }
}
