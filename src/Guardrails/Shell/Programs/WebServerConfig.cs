using System.Text.RegularExpressions;

namespace Guardrails.Shell.Programs;

/// <summary>
/// Reads what a web server configuration written by the agent serves: nginx (<c>root</c>, <c>alias</c>), Apache
/// (<c>DocumentRoot</c>, <c>Alias</c>), lighttpd (<c>server.document-root</c>) and Caddy (<c>root</c>). Used when a
/// server is started with a configuration file whose content is known (written earlier in the call or the session).
/// </summary>
internal static partial class WebServerConfig
{
    /// <summary>Gets the configuration file a server launch names (<c>nginx -c F</c>, <c>httpd -f F</c>, <c>lighttpd -f F</c>, <c>caddy run --config F</c>), or null.</summary>
    public static string? ConfigFile(string program, IReadOnlyList<string> arguments)
    {
        var option = program switch
        {
            "nginx" => "-c",
            "httpd" or "apache2" or "lighttpd" => "-f",
            "caddy" when arguments.Count > 0 && arguments[0] is "run" or "start" => "--config",
            _ => null,
        };
        if (option is null)
        {
            return null;
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == option && i + 1 < arguments.Count)
            {
                return arguments[i + 1];
            }

            if (arguments[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                return arguments[i][(option.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>Gets the directories the configuration serves files from.</summary>
    public static List<string> DocumentRoots(string content)
    {
        var roots = new List<string>();
        foreach (Match match in RootDirective().Matches(content))
        {
            var value = match.Groups["path"].Value.Trim().Trim('"', '\'');
            if (value.Length > 0 && (value[0] == '/' || value[0] == '~') && !roots.Contains(value))
            {
                roots.Add(value);
            }
        }

        return roots;
    }

    [GeneratedRegex("""(?im)(?:^|[{;])\s*(?:root(?:\s+\*)?|alias|DocumentRoot|Alias\s+\S+|server\.document-root\s*=)\s+(?<path>"[^"]*"|'[^']*'|[^\s;]+)""")]
    private static partial Regex RootDirective();
}
