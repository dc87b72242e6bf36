namespace Guardrails.ModelContextProtocol.Proxy;

/// <summary>Configures a <see cref="GuardrailsMcpProxy"/>.</summary>
public sealed class GuardrailsMcpProxyOptions
{
    /// <summary>Gets the options of the call-tool filter that decides every forwarded <c>tools/call</c>.</summary>
    public GuardrailsMcpOptions Filter { get; } = new();

    /// <summary>Gets or sets the client name the proxy introduces itself with to the upstream server.</summary>
    /// <value>The default value is <c>guardrails-mcp-proxy</c>.</value>
    public string ClientName { get; set; } = "guardrails-mcp-proxy";

    /// <summary>Gets or sets how long to wait for the upstream server to complete the MCP handshake.</summary>
    /// <value>The default value is 60 seconds (servers started through <c>npx</c> or <c>uvx</c> may download first).</value>
    public TimeSpan InitializationTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
