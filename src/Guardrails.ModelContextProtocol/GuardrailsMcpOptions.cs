using ModelContextProtocol.Server;

namespace Guardrails.ModelContextProtocol;

/// <summary>Configures the Guardrails MCP call-tool filter (<see cref="GuardrailsCallToolFilter"/>). Read when the filter is created.</summary>
public sealed class GuardrailsMcpOptions
{
    /// <summary>
    /// Gets or sets how an MCP tool is named in the <see cref="ToolCall"/> the guard decides. The policy binds tool names
    /// to interpreters (<c>run_shell_command</c> → shell, <c>write_file</c> → file write, …), so the name decides how the
    /// arguments are read; a tool the policy does not know can also be bound in the policy's <c>tools</c> section.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the MCP tool name, unchanged.</value>
    public Func<McpToolNameArguments, string>? ToolName { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether an escalated call is put to the user through MCP elicitation when the
    /// client supports it (form mode). Otherwise — or when this is <see langword="false"/> — the guard's own approval
    /// handler decides (<see cref="Guard.DecideAsync"/>), and without one the call is denied saying approval was required.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseElicitation { get; set; } = true;

    /// <summary>Gets or sets how long the filter waits for the user's answer to an elicitation before denying the call.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan ElicitationTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the time provider used for the elicitation timeout.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (ElicitationTimeout <= TimeSpan.Zero && ElicitationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ElicitationTimeout), ElicitationTimeout, "The elicitation timeout must be positive or infinite.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}

/// <summary>The arguments of the <see cref="GuardrailsMcpOptions.ToolName"/> hook.</summary>
public readonly struct McpToolNameArguments
{
    /// <summary>Initializes a new instance of the <see cref="McpToolNameArguments"/> struct.</summary>
    /// <param name="toolName">The MCP tool name the client called.</param>
    /// <param name="server">The server session the call arrived on.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public McpToolNameArguments(string toolName, McpServer server)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        ArgumentNullException.ThrowIfNull(server);
        ToolName = toolName;
        Server = server;
    }

    /// <summary>Gets the MCP tool name the client called.</summary>
    public string ToolName { get; }

    /// <summary>Gets the server session the call arrived on (its <see cref="McpServer.ServerOptions"/> name the server).</summary>
    public McpServer Server { get; }
}
