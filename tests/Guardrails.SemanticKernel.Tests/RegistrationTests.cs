using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using static Guardrails.SemanticKernel.Tests.Harness;
using static Guardrails.SemanticKernel.Tests.ScriptedChatClient;

namespace Guardrails.SemanticKernel.Tests;

/// <summary>Registering the filters the way Semantic Kernel registers filters: on the kernel, or through DI.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void AddGuardrails_OnAKernel_AddsBothFilters()
    {
        var kernel = new Kernel();

        kernel.AddGuardrails(CreateGuard());

        kernel.FunctionInvocationFilters.Should().ContainSingle().Which.Should().BeOfType<GuardrailsFunctionInvocationFilter>();
        kernel.AutoFunctionInvocationFilters.Should().ContainSingle().Which.Should().BeOfType<GuardrailsAutoFunctionInvocationFilter>();
    }

    [Fact]
    public void AddGuardrailsFilters_TheKernelBuiltFromTheServicesHasBothFiltersOnce()
    {
        var builder = Kernel.CreateBuilder();

        builder.Services.AddGuardrailsFilters();
        builder.Services.AddGuardrailsFilters(o => o.AutoInvocationEscalation = AutoInvocationEscalation.TerminateTurn);
        var kernel = builder.Build();

        kernel.FunctionInvocationFilters.OfType<GuardrailsFunctionInvocationFilter>().Should().ContainSingle();
        kernel.AutoFunctionInvocationFilters.OfType<GuardrailsAutoFunctionInvocationFilter>().Should().ContainSingle();
    }

    [Fact]
    public async Task AddGuardrailsFilters_WithTheGuardFromGuardOptions_BlocksTheCopy()
    {
        var harness = new Harness(
            new ScriptedChatClient(Calls(("c1", ShellPlugin.Name + "_bash", CopyWeights)), Says("done")),
            builder => builder.Services.AddGuardrails(o => o.Policy = "builtin:default").AddGuardrailsFilters());

        await harness.RunAsync();

        harness.Shell.Executed.Should().BeEmpty();
        harness.Model.SeenResults["c1"].Should().Contain("weights.copy");
    }

    [Fact]
    public async Task AddGuardrailsFilters_ABrokenPolicy_FailsClosed()
    {
        var harness = new Harness(
            new ScriptedChatClient(Calls(("c1", ShellPlugin.Name + "_bash", Explore)), Says("done")),
            builder => builder.Services.AddGuardrails(o => o.Policy = "/nonexistent/policy.json").AddGuardrailsFilters());

        await harness.RunAsync();

        harness.Shell.Executed.Should().BeEmpty();
        harness.Model.SeenResults["c1"].Should().Contain("guardrails.policy.missing");
    }

    [Fact]
    public void Constructors_RejectNullAndUndefinedOptions()
    {
        FluentActions.Invoking(() => new GuardrailsFunctionInvocationFilter(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new GuardrailsAutoFunctionInvocationFilter(CreateGuard(), new GuardrailsFilterOptions { AutoInvocationEscalation = (AutoInvocationEscalation)7 }))
            .Should().Throw<ArgumentOutOfRangeException>();
    }
}
