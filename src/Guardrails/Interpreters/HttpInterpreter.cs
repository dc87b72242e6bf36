using System.Text.Json;
using Guardrails.Actions;

namespace Guardrails.Interpreters;

/// <summary>Interprets HTTP request tools (<c>http_request</c>, <c>WebFetch</c>, …).</summary>
internal static class HttpInterpreter
{
    public static void Interpret(InterpretationContext context)
    {
        if (!context.RequireString("url", out var url, out var urlName))
        {
            return;
        }

        string? body = null;
        if (context.TryGetElement("body", out var bodyElement, out _))
        {
            body = bodyElement.ValueKind switch
            {
                JsonValueKind.String => bodyElement.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => bodyElement.GetRawText(),
            };
        }

        var method = context.TryGetString("method", out var m, out _) && m.Length > 0 ? m.ToUpperInvariant() : body is null ? "GET" : "POST";
        context.Sink.Add(Create(method, url, body, urlName, new TextSpan(0, url.Length)));
    }

    /// <summary>Creates an HTTP operation, parsing the URL the way curl does (a missing scheme means http).</summary>
    public static HttpRequestOperation Create(string method, string url, string? body, string source, TextSpan span)
    {
        var candidate = url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url;
        Uri.TryCreate(candidate, UriKind.Absolute, out var uri);
        return new HttpRequestOperation(method, url)
        {
            Host = uri?.Host,
            Port = uri is { Port: >= 0 } ? uri.Port : null,
            PathAndQuery = uri?.PathAndQuery,
            Body = body,
            Source = source,
            Span = span,
        };
    }
}
