using System.Text.Json.Serialization;

namespace Guardrails;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ToolCallJsonContext : JsonSerializerContext;
