using System.Text.Json.Serialization;

namespace Guardrails.Approvals;

// Source-generated (trimming- and AOT-safe) serialization of approval tickets.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ApprovalTicket))]
internal sealed partial class ApprovalJsonContext : JsonSerializerContext;
