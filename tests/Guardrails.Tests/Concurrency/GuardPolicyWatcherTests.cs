using Guardrails.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Guardrails.Tests.Concurrency;

/// <summary>
/// <see cref="GuardPolicyWatcher"/>: a policy file that changes is put into service when it loads, and rejected — the
/// old policy staying in service — when it does not. Files are replaced atomically (written beside, then renamed),
/// the way a policy should be deployed, so that the watcher's own file events can never see half a file.
/// </summary>
public sealed class GuardPolicyWatcherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("guardrails-watch-").FullName;

    public static TheoryData<string, string> BrokenPolicies { get; } = new()
    {
        { "{ \"rules\": [ { \"id\": ", "GR1001" },
        { """{ "rules": [ { "id": "x", "effect": "explode", "when": { "programs": ["x"] } } ] }""", "GR20" },
        { """{ "extends": ["./missing.json"] }""", "GR1" },
        { """{ "rules": [ { "id": "x", "effect": "deny", "when": { "arguments": ["(?<=a)b"] } } ] }""", "GR20" },
        { "[1, 2, 3]", "GR1" },
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CheckForChanges_NewFileThatLoads_IsPutIntoService()
    {
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        var guard = new Guard(GuardPolicy.LoadFile(path));
        var recorder = new AuditRecorder();
        using var watcher = new GuardPolicyWatcher(guard, path, recorder, Timeout.InfiniteTimeSpan);
        var first = guard.PolicyVersion;
        watcher.Reloads.Should().Be(0, "starting on the version in service changes nothing");

        Deploy(PolicySwapTests.VersionedJson(1), path);
        watcher.CheckForChanges();

        guard.PolicyVersion.Should().NotBe(first);
        guard.Evaluate(PolicySwapTests.Call(1, "c")).RuleIds.Should().BeEmpty("version 1 has no rule for tool1");
        guard.Evaluate(PolicySwapTests.Call(2, "c")).RuleIds.Should().Equal("v1.tool2");
        watcher.Reloads.Should().Be(1);
        watcher.LastError.Should().BeNull();
        recorder.Records.Should().Contain(r => r.EventId == 1025 && r.Level == LogLevel.Information && r["PolicyVersion"] == guard.PolicyVersion);
    }

    [Theory]
    [MemberData(nameof(BrokenPolicies))]
    public void CheckForChanges_FileThatDoesNotLoad_IsRejectedAndTheOldPolicyStays(string broken, string code)
    {
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        var guard = new Guard(GuardPolicy.LoadFile(path));
        var recorder = new AuditRecorder();
        using var watcher = new GuardPolicyWatcher(guard, path, recorder, Timeout.InfiniteTimeSpan);
        var inService = guard.PolicyVersion;

        Deploy(broken, path);
        watcher.CheckForChanges();

        watcher.RejectedReloads.Should().Be(1);
        watcher.Reloads.Should().Be(0);
        watcher.LastError.Should().Contain(code);
        guard.PolicyVersion.Should().Be(inService);
        guard.Evaluate(PolicySwapTests.Call(0, "c")).RuleIds.Should().Equal(["v0.tool0"], "the old policy keeps deciding");
        recorder.Records.Should().ContainSingle(r => r.EventId == 1023).Which.Should().Match<AuditRecord>(r =>
            r.Level == LogLevel.Error && r["PolicyVersion"] == inService && r["PolicyPath"] == path && r.Message.Contains(code, StringComparison.Ordinal));

        // Fixing the file brings the fix into service.
        Deploy(PolicySwapTests.VersionedJson(2), path);
        watcher.CheckForChanges();
        watcher.Reloads.Should().Be(1);
        watcher.LastError.Should().BeNull();
        guard.Evaluate(PolicySwapTests.Call(1, "c")).RuleIds.Should().Equal("v2.tool1");
    }

    [Fact]
    public void CheckForChanges_BlankOrDeletedFile_KeepsThePolicyInService()
    {
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        var guard = new Guard(GuardPolicy.LoadFile(path));
        using var watcher = new GuardPolicyWatcher(guard, path, pollInterval: Timeout.InfiniteTimeSpan);
        var inService = guard.PolicyVersion;

        Deploy("  \n", path);
        watcher.CheckForChanges();
        File.Delete(path);
        watcher.CheckForChanges();

        guard.PolicyVersion.Should().Be(inService, "truncating or deleting the policy file never disables the guard");
        watcher.Reloads.Should().Be(0);
        watcher.RejectedReloads.Should().Be(0);
        guard.Evaluate(PolicySwapTests.Call(0, "c")).Verdict.Should().Be(Verdict.Deny);
    }

    [Fact]
    public void Constructor_FileChangedSinceThePolicyWasLoaded_PutsTheChangeIntoService()
    {
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        var guard = new Guard(GuardPolicy.LoadFile(path));
        Deploy(PolicySwapTests.VersionedJson(1), path);

        using var watcher = new GuardPolicyWatcher(guard, path, pollInterval: Timeout.InfiniteTimeSpan);

        guard.Evaluate(PolicySwapTests.Call(2, "c")).RuleIds.Should().Equal("v1.tool2");
        watcher.Reloads.Should().Be(1);
    }

    [Fact]
    public void Constructor_FailClosedGuard_ComesIntoServiceWhenTheFileIsFixed()
    {
        var path = Deploy("{ broken");
        var guard = Guard.CreateFailClosed("the policy does not load");
        using var watcher = new GuardPolicyWatcher(guard, path, pollInterval: Timeout.InfiniteTimeSpan);
        watcher.RejectedReloads.Should().Be(0, "the failure at start-up is the host's to report");
        watcher.LastError.Should().Contain("GR1001");
        guard.Evaluate(ToolCall.Shell("ls")).Verdict.Should().Be(Verdict.Deny);

        Deploy(PolicySwapTests.VersionedJson(0), path);
        watcher.CheckForChanges();

        guard.Evaluate(ToolCall.Shell("ls")).Verdict.Should().Be(Verdict.Allow);
    }

    [Theory]
    [InlineData("builtin:default")]
    [InlineData(" ")]
    public void Constructor_NothingToWatch_Throws(string policy)
    {
        var act = () => new GuardPolicyWatcher(new Guard(GuardPolicy.Default), policy);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task Reloads_WhileThreadsDecide_NeverPutABrokenOrPartialPolicyIntoService()
    {
        const int Threads = 3;
        const int Rounds = 12;
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        var guard = new Guard(GuardPolicy.LoadFile(path), new GuardOptions { HomeDirectory = TestGuards.Home });
        using var watcher = new GuardPolicyWatcher(guard, path, pollInterval: Timeout.InfiniteTimeSpan);
        var policies = Enumerable.Range(0, 3).Select(PolicySwapTests.Versioned).ToArray();
        var (versionOf, expected) = PolicySwapTests.Reference(policies);

        var done = 0;
        var decided = 0;
        var deciders = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                var decisions = new List<(int Tool, Decision Decision)>();
                for (var n = 0; Volatile.Read(ref done) == 0; n++)
                {
                    var tool = (t + n) % 4;
                    decisions.Add((tool, guard.Evaluate(PolicySwapTests.Call(tool, $"{t}-{n}"))));
                    Interlocked.Increment(ref decided);
                }

                return decisions;
            },
            TaskCreationOptions.LongRunning)).ToArray();

        for (var round = 1; round <= Rounds; round++)
        {
            var floor = Volatile.Read(ref decided) + Threads;
            SpinWait.SpinUntil(() => Volatile.Read(ref decided) >= floor, TimeSpan.FromMinutes(2)).Should().BeTrue();
            Deploy(round % 2 == 0 ? PolicySwapTests.VersionedJson(round / 2 % 3) : "{ \"rules\": [ { \"id\": " + round, path);
            watcher.CheckForChanges();
        }

        Interlocked.Exchange(ref done, 1);
        var results = await Task.WhenAll(deciders);

        foreach (var (tool, decision) in results.SelectMany(d => d))
        {
            versionOf.Should().ContainKey(decision.PolicyVersion, "only versions that loaded ever decide");
            decision.Verdict.Should().Be(expected[versionOf[decision.PolicyVersion], tool]);
        }

        watcher.RejectedReloads.Should().Be(Rounds / 2);
    }

    [Fact]
    public async Task AddGuardrails_ReloadPolicyOnChange_FollowsThePolicyFile()
    {
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        var services = new ServiceCollection().AddGuardrails(o =>
        {
            o.Policy = path;
            o.ReloadPolicyOnChange = true;
        });
        Guard guard;
        await using (var provider = services.BuildServiceProvider())
        {
            guard = provider.GetRequiredService<Guard>();
            guard.Evaluate(PolicySwapTests.Call(0, "c")).RuleIds.Should().Equal("v0.tool0");

            Deploy(PolicySwapTests.VersionedJson(1), path);
            (await PollAsync(() => guard.Evaluate(PolicySwapTests.Call(2, "c")).RuleIds is ["v1.tool2"])).Should().BeTrue("the file event or the poll reloads it");
        }

        // Disposing the container stops following the file.
        var inService = guard.PolicyVersion;
        Deploy(PolicySwapTests.VersionedJson(2), path);
        guard.PolicyVersion.Should().Be(inService);
    }

    [Fact]
    public void AddGuardrails_WithoutReloadPolicyOnChange_LoadsThePolicyOnce()
    {
        var path = Deploy(PolicySwapTests.VersionedJson(0));
        using var provider = new ServiceCollection().AddGuardrails(o => o.Policy = path).BuildServiceProvider();
        var guard = provider.GetRequiredService<Guard>();
        var version = guard.PolicyVersion;

        Deploy(PolicySwapTests.VersionedJson(1), path);

        guard.PolicyVersion.Should().Be(version);
        GuardPolicy.LoadFile(path).Version.Should().NotBe(version);
    }

    // Bounded polling of a condition that a background event makes true; never a fixed wait.
    private static async Task<bool> PollAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    // Writes beside the policy file, then renames over it: readers see the old file or the new one, never a mix.
    private string Deploy(string json, string? path = null)
    {
        path ??= Path.Combine(_directory, "policy.json");
        var staging = Path.Combine(_directory, ".staging-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(staging, json);
        File.Move(staging, path, overwrite: true);
        return path;
    }
}
