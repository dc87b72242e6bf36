using Guardrails;
using Guardrails.ModelContextProtocol;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Guardrails to MCP servers built with the official C# SDK's <see cref="IMcpServerBuilder"/>.</summary>
public static class GuardrailsMcpServerBuilderExtensions
{
    /// <summary>
    /// Decides every <c>tools/call</c> of this server with <paramref name="guard"/> before the tool runs (see
    /// <see cref="GuardrailsCallToolFilter"/>).
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="guard">The guard.</param>
    /// <param name="configure">Configures the filter; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Logs decisions; <see langword="null"/> for the server's <see cref="ILoggerFactory"/>, if any.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="guard"/> is null.</exception>
    /// <remarks>Call it before other <c>WithRequestFilters</c> so that the guard is the outermost call-tool filter.</remarks>
    public static IMcpServerBuilder AddGuardrails(this IMcpServerBuilder builder, Guard guard, Action<GuardrailsMcpOptions>? configure = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(guard);
        var options = new GuardrailsMcpOptions();
        configure?.Invoke(options);
        var filter = GuardrailsCallToolFilter.Create(guard, options, logger);
        return builder.WithRequestFilters(filters => filters.AddCallToolFilter(filter));
    }

    /// <summary>
    /// Decides every <c>tools/call</c> of this server with the <see cref="Guard"/> registered in the services before the
    /// tool runs. Also calls <see cref="GuardrailsServiceCollectionExtensions.AddGuardrails"/>, which registers a guard
    /// built from <see cref="GuardOptions"/> unless one is registered already.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Configures the filter; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IMcpServerBuilder AddGuardrails(this IMcpServerBuilder builder, Action<GuardrailsMcpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddGuardrails();
        var options = new GuardrailsMcpOptions();
        configure?.Invoke(options);
        var filter = GuardrailsCallToolFilter.CreateFromServices(options);
        return builder.WithRequestFilters(filters => filters.AddCallToolFilter(filter));
    }
}
