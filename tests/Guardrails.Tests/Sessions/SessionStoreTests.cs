using System.Collections.Concurrent;
using Guardrails.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Guardrails.Tests.Sessions;

/// <summary>The session store and the per-session history: isolation, expiry, capacity, eviction and concurrency.</summary>
public sealed class SessionStoreTests
{
    private const string Dangerous = "nohup vllm serve /models/qwen --port 8001 &";

    private static SessionState NewState(string id) => new(id, 16, TimeSpan.FromHours(1));

    private static ToolCall Write(string session, string path, string content) =>
        new("write_file", System.Text.Json.JsonSerializer.SerializeToElement(new { path, content })) { SessionId = session, WorkingDirectory = TestGuards.Home };

    private static ToolCall Run(string session, string command) =>
        new("bash", ToolCall.Shell(command).Arguments) { SessionId = session, WorkingDirectory = TestGuards.Home };

    [Fact]
    public void GetOrAdd_SameId_ReturnsTheSameState_AndOtherIdsTheirOwn()
    {
        var store = new InMemorySessionStore();

        var a = store.GetOrAdd("a", NewState);
        var again = store.GetOrAdd("a", NewState);
        var b = store.GetOrAdd("b", NewState);

        again.Should().BeSameAs(a);
        b.Should().NotBeSameAs(a);
        b.SessionId.Should().Be("b");
        store.GetOrAdd("A", NewState).Should().NotBeSameAs(a, "session ids are compared ordinally");
        store.Count.Should().Be(3);
    }

    [Fact]
    public void GetOrAdd_AfterTheIdleTimeout_StartsTheSessionOver()
    {
        var time = new FakeTimeProvider();
        var store = new InMemorySessionStore(idleTimeout: TimeSpan.FromMinutes(30), timeProvider: time);
        var first = store.GetOrAdd("s", NewState);

        time.Advance(TimeSpan.FromMinutes(29));
        store.GetOrAdd("s", NewState).Should().BeSameAs(first);
        time.Advance(TimeSpan.FromMinutes(29));
        store.GetOrAdd("s", NewState).Should().BeSameAs(first, "each use keeps the session alive");
        time.Advance(TimeSpan.FromMinutes(31));
        store.GetOrAdd("s", NewState).Should().NotBeSameAs(first);
    }

    [Fact]
    public void GetOrAdd_OverTheMaximum_ForgetsTheLeastRecentlyUsed()
    {
        var time = new FakeTimeProvider();
        var store = new InMemorySessionStore(maxSessions: 20, idleTimeout: Timeout.InfiniteTimeSpan, timeProvider: time);
        var states = new Dictionary<string, SessionState>();
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            states["s" + i] = store.GetOrAdd("s" + i, NewState);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        store.GetOrAdd("s0", NewState).Should().BeSameAs(states["s0"], "s0 is now the most recently used");
        time.Advance(TimeSpan.FromSeconds(1));
        store.GetOrAdd("new", NewState);

        store.Count.Should().BeLessThanOrEqualTo(20);
        store.GetOrAdd("s0", NewState).Should().BeSameAs(states["s0"]);
        store.GetOrAdd("s1", NewState).Should().NotBeSameAs(states["s1"], "s1 was the least recently used");
    }

    [Fact]
    public void Constructor_InvalidLimits_Throw()
    {
        FluentActions.Invoking(() => new InMemorySessionStore(maxSessions: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemorySessionStore(idleTimeout: TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(70_000, 1)]
    [InlineData(16, -1)]
    [InlineData(16, 0)]
    public void GuardOptions_InvalidSessionLimits_AreRejected(int capacity, int lifetimeMinutes)
    {
        var options = new GuardOptions();
        options.Sessions.HistoryCapacity = capacity;
        options.Sessions.EntryLifetime = TimeSpan.FromMinutes(lifetimeMinutes);

        FluentActions.Invoking(() => new Guard(GuardPolicy.Default, options)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void EntryLifetime_WrittenScriptsExpire()
    {
        var time = new FakeTimeProvider();
        var options = new GuardOptions { HomeDirectory = TestGuards.Home, TimeProvider = time };
        options.Sessions.EntryLifetime = TimeSpan.FromHours(1);
        var guard = new Guard(GuardPolicy.Default, options);

        guard.Evaluate(Write("s", "/tmp/x.sh", Dangerous));
        time.Advance(TimeSpan.FromMinutes(59));
        guard.Evaluate(Run("s", "bash /tmp/x.sh")).Verdict.Should().Be(Verdict.Deny);

        time.Advance(TimeSpan.FromMinutes(61));
        guard.Evaluate(Run("s", "bash /tmp/x.sh")).Verdict.Should().Be(Verdict.Allow, "what was written more than an hour ago is forgotten");
    }

    [Fact]
    public void EntryLifetime_HistoryConditionsForgetExpiredCalls()
    {
        var time = new FakeTimeProvider();
        var options = new GuardOptions { HomeDirectory = TestGuards.Home, TimeProvider = time };
        options.Sessions.EntryLifetime = TimeSpan.FromMinutes(10);
        var guard = new Guard(GuardPolicy.Default, options);

        guard.RecordShutdownNotice("s");
        time.Advance(TimeSpan.FromMinutes(9));
        guard.Evaluate(Run("s", "setsid ./worker.sh")).RuleIds.Should().Contain("session.shutdown.evasion");
        time.Advance(TimeSpan.FromMinutes(2));
        guard.Evaluate(Run("s", "setsid ./worker.sh")).RuleIds.Should().NotContain("session.shutdown.evasion");
    }

    [Fact]
    public void HistoryCapacity_OldestCallsAreForgottenFirst()
    {
        var guard = TestGuards.WithPolicy(
            """
            { "rules": [ { "id": "after-read", "effect": "deny", "score": 100,
                           "when": { "operations": ["http.request"], "history": { "match": { "paths": ["/secret/**"] } } } } ] }
            """,
            o => o.Sessions.HistoryCapacity = 3);

        guard.Evaluate(Run("s", "cat /secret/key")).Verdict.Should().Be(Verdict.Allow);
        guard.Evaluate(Run("s", "curl https://example.com")).Verdict.Should().Be(Verdict.Deny);
        guard.Evaluate(Run("s", "echo 1"));
        guard.Evaluate(Run("s", "echo 2"));
        guard.Evaluate(Run("s", "curl https://example.com")).Verdict.Should().Be(Verdict.Allow, "the read was one of more than three calls ago");
    }

    [Fact]
    public void SessionState_KeepsAtMostItsCapacity()
    {
        var store = new InMemorySessionStore();
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Sessions.Store = store;
        options.Sessions.HistoryCapacity = 5;
        var guard = new Guard(GuardPolicy.Default, options);

        for (var i = 0; i < 50; i++)
        {
            guard.Evaluate(Run("s", "echo " + i));
        }

        var state = store.GetOrAdd("s", NewState);
        state.EntryCount.Should().Be(5);
        state.Actions.Should().Be(50);
    }

    [Fact]
    public void DerivedFacts_AreBounded()
    {
        var store = new InMemorySessionStore();
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Sessions.Store = store;
        var guard = new Guard(GuardPolicy.Default, options);

        for (var i = 0; i < 600; i++)
        {
            guard.Evaluate(Write("s", $"/tmp/f{i}.sh", new string('x', 10_000)));
            guard.Evaluate(Run("s", $"cp -r /tmp/d{i} /tmp/e{i}"));
            guard.Evaluate(Run("s", $"python3 server.py --port {10_000 + i}"));
        }

        var state = store.GetOrAdd("s", NewState);
        state.Files.Count.Should().BeLessThanOrEqualTo(SessionState.MaxTrackedFiles);
        state.Files.Values.Sum(f => f.Content?.Length ?? 0).Should().BeLessThanOrEqualTo(SessionState.MaxTrackedContent);
        state.Derived.Count.Should().BeLessThanOrEqualTo(SessionState.MaxDerivedPaths);
        state.Ports.Count.Should().BeLessThanOrEqualTo(SessionState.MaxPorts);
        state.Files.Should().ContainKey("/tmp/f599.sh", "the newest facts are kept");
    }

    [Fact]
    public void ManyThreadsManySessions_NoCrossTalk()
    {
        var guard = new Guard(GuardPolicy.Default, new GuardOptions { HomeDirectory = TestGuards.Home });
        var failures = new ConcurrentBag<string>();
        var store = new InMemorySessionStore();
        var states = new ConcurrentDictionary<string, SessionState>();

        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            // Every session writes the same path: odd sessions something dangerous, even ones something harmless.
            var session = "session-" + i;
            states[session] = store.GetOrAdd(session, NewState);
            var dangerous = i % 2 == 1;
            for (var round = 0; round < 5; round++)
            {
                guard.Evaluate(Write(session, "/tmp/job.sh", dangerous ? Dangerous : "echo hello " + i));
                var verdict = guard.Evaluate(Run(session, "bash /tmp/job.sh")).Verdict;
                if (verdict != (dangerous ? Verdict.Deny : Verdict.Allow))
                {
                    failures.Add($"{session} round {round}: {verdict}");
                }
            }
        });

        failures.Should().BeEmpty();
        Parallel.For(0, 400, i => store.GetOrAdd("session-" + i, NewState).Should().BeSameAs(states["session-" + i]));
    }

    [Fact]
    public void ConcurrentCallsOfOneSession_AreAllRecorded()
    {
        var store = new InMemorySessionStore();
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Sessions.Store = store;
        options.Sessions.HistoryCapacity = 10_000;
        var guard = new Guard(GuardPolicy.Default, options);

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i => guard.Evaluate(Run("shared", "echo " + i)));

        store.GetOrAdd("shared", NewState).Actions.Should().Be(2_000);
    }

    [Fact]
    public void FailingStore_FailsClosed()
    {
        var options = new GuardOptions { HomeDirectory = TestGuards.Home };
        options.Sessions.Store = new ThrowingStore();
        var guard = new Guard(GuardPolicy.Default, options);

        var decision = guard.Evaluate(Run("s", "ls"));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Equal("guardrails.session.unavailable");
        guard.Evaluate(ToolCall.Shell("ls")).Verdict.Should().Be(Verdict.Allow, "a call without a session does not need the store");
    }

    private sealed class ThrowingStore : ISessionStore
    {
        public SessionState GetOrAdd(string sessionId, Func<string, SessionState> create) => throw new InvalidOperationException("store is down");
    }
}
