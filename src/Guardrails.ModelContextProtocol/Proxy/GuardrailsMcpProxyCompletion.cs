namespace Guardrails.ModelContextProtocol.Proxy;

/// <summary>Says why <see cref="GuardrailsMcpProxy.RunAsync"/> returned.</summary>
public enum GuardrailsMcpProxyCompletion
{
    /// <summary>The downstream client closed the session (for stdio: its standard input ended).</summary>
    ClientDisconnected = 0,

    /// <summary>The upstream server ended (its process exited or its transport failed); see <see cref="GuardrailsMcpProxy.Upstream"/>'s <c>Completion</c>.</summary>
    UpstreamEnded = 1,

    /// <summary>The caller's cancellation token stopped the proxy.</summary>
    Stopped = 2,
}
