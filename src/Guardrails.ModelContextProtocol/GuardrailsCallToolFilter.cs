using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Guardrails.ModelContextProtocol;

/// <summary>
/// Creates the Guardrails call-tool filter for MCP servers built with the official C# SDK: every <c>tools/call</c> is
/// decided before the tool runs.
/// </summary>
/// <remarks>
/// <para><b>Allow</b>: the call goes on to the tool. <b>Deny</b>: the tool is not run; the client receives a
/// <see cref="CallToolResult"/> with <see cref="CallToolResult.IsError"/> set and a text block naming the rules and reasons,
/// so the model sees a failed tool result (not a protocol error) and can re-plan. <b>Escalate</b>: when the client supports
/// form elicitation (and <see cref="GuardrailsMcpOptions.UseElicitation"/> is on), the user is asked through
/// <see cref="McpServer.ElicitAsync(ElicitRequestParams, CancellationToken)"/>; only an explicit "approve" runs the tool — a decline,
/// cancel, error or no answer within <see cref="GuardrailsMcpOptions.ElicitationTimeout"/> denies it. Otherwise the guard's
/// approval handler decides (<see cref="Guard.DecideAsync"/>), and without one the call is denied saying approval was
/// required.</para>
/// <para>Add it before other call-tool filters so that it is the outermost one. The filter is thread-safe.</para>
/// </remarks>
public static class GuardrailsCallToolFilter
{
    /// <summary>Creates a call-tool filter that decides with <paramref name="guard"/>.</summary>
    /// <param name="guard">The guard.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Logs decisions (tool name, verdict, rule ids — never arguments); <see langword="null"/> for the
    /// request services' <see cref="ILoggerFactory"/>, if any.</param>
    /// <returns>The filter, for <c>AddCallToolFilter</c> or <see cref="McpRequestFilters.CallToolFilters"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="guard"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public static McpRequestFilter<CallToolRequestParams, CallToolResult> Create(Guard guard, GuardrailsMcpOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var callGuard = new McpCallGuard(options ?? new GuardrailsMcpOptions(), logger);
        return next =>
        {
            ArgumentNullException.ThrowIfNull(next);
            return (context, cancellationToken) => callGuard.InvokeAsync(guard, context, next, cancellationToken);
        };
    }

    /// <summary>
    /// Creates a call-tool filter that decides with the <see cref="Guard"/> registered in the request's services (see
    /// <c>services.AddGuardrails()</c>). A request without services or without a registered guard is denied.
    /// </summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Logs decisions; <see langword="null"/> for the request services' <see cref="ILoggerFactory"/>, if any.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public static McpRequestFilter<CallToolRequestParams, CallToolResult> CreateFromServices(GuardrailsMcpOptions? options = null, ILogger? logger = null)
    {
        var callGuard = new McpCallGuard(options ?? new GuardrailsMcpOptions(), logger);
        return next =>
        {
            ArgumentNullException.ThrowIfNull(next);
            return (context, cancellationToken) =>
            {
                var guard = context.Services?.GetService<Guard>();
                return guard is null
                    ? ValueTask.FromResult(McpCallGuard.Refusal("Guardrails blocked the call: no guard is registered in the server's services, so no tool may run."))
                    : callGuard.InvokeAsync(guard, context, next, cancellationToken);
            };
        };
    }
}
