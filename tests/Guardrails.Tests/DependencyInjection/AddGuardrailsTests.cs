using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Guardrails.Tests.DependencyInjection;

public sealed class AddGuardrailsTests
{
    [Fact]
    public void AddGuardrails_Defaults_ResolvesASingletonGuardOnTheDefaultPolicy()
    {
        using var provider = new ServiceCollection().AddLogging().AddGuardrails().BuildServiceProvider();

        var guard = provider.GetRequiredService<Guard>();

        guard.Should().BeSameAs(provider.GetRequiredService<Guard>());
        guard.Policy!.Name.Should().Be("builtin:default");
        guard.Evaluate(ToolCall.Shell("cp -r /models/qwen /tmp/q")).Verdict.Should().Be(Verdict.Deny);
    }

    [Fact]
    public void AddGuardrails_PolicyThatCannotLoad_RegistersAGuardThatDeniesEverything()
    {
        using var provider = new ServiceCollection()
            .AddGuardrails(o => o.Policy = Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid().ToString("N") + ".json"))
            .BuildServiceProvider();

        var decision = provider.GetRequiredService<Guard>().Evaluate(ToolCall.Shell("ls"));

        decision.Verdict.Should().Be(Verdict.Deny);
        decision.RuleIds.Should().Equal("guardrails.policy.missing");
        decision.Reasons[0].Should().Contain("GR1003");
    }

    [Fact]
    public void AddGuardrails_SelfOptions_FlowIntoDecisions()
    {
        using var provider = new ServiceCollection()
            .AddGuardrails(o =>
            {
                o.HomeDirectory = "/home/agent";
                o.Self.ModelDirectories.Add("/data/ckpt");
            })
            .BuildServiceProvider();

        var decision = provider.GetRequiredService<Guard>().Evaluate(ToolCall.Shell("cp -r /data/ckpt /tmp/x"));

        decision.Verdict.Should().Be(Verdict.Deny);
    }

    [Fact]
    public void AddGuardrails_InvalidOptions_FailValidation()
    {
        using var provider = new ServiceCollection().AddGuardrails(o => o.ApprovalTimeout = TimeSpan.FromSeconds(-1)).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<GuardOptions>>().Value;

        act.Should().Throw<OptionsValidationException>();
    }

    [Fact]
    public void AddGuardrails_CallerRegisteredGuard_IsNotReplaced()
    {
        var mine = Guard.CreateFailClosed("mine");
        using var provider = new ServiceCollection().AddSingleton(mine).AddGuardrails().BuildServiceProvider();

        provider.GetRequiredService<Guard>().Should().BeSameAs(mine);
    }
}
