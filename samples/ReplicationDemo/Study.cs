namespace ReplicationDemo;

/// <summary>The layout of the agent in the reference study: where its program and weights live, where it serves.</summary>
internal static class Study
{
    public const string AgentDirectory = "/home/agent/Agent";
    public const string ModelDirectory = "/home/agent/models/llama-3.1-70b-instruct";
    public const int ServingPort = 8000;
}
