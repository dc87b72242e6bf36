using System.Globalization;

namespace Guardrails.Shell.Programs;

/// <summary>Recognises remote operands (<c>[user@]host:path</c>, <c>scp://</c>, <c>rsync://</c>, URLs) without regular expressions.</summary>
internal static class NetworkAddresses
{
    /// <summary>
    /// Recognises an scp/rsync-style remote operand: <c>[user@]host:path</c>, <c>[user@][v6]:path</c>,
    /// <c>host::module</c>, or a <c>scp://</c>, <c>sftp://</c>, <c>ssh://</c> or <c>rsync://</c> URL.
    /// </summary>
    /// <param name="operand">The operand as written.</param>
    /// <param name="host">The host without user and brackets.</param>
    /// <param name="port">The port, when the URL form gives one.</param>
    /// <param name="singleLetterIsDrive">Whether <c>c:path</c> is a Windows drive rather than a host named <c>c</c>.</param>
    public static bool TryParseRemotePath(string operand, out string host, out int? port, bool singleLetterIsDrive = false)
    {
        host = string.Empty;
        port = null;
        if (string.IsNullOrEmpty(operand) || operand[0] == '/' || operand[0] == '.' || operand[0] == '~')
        {
            return false;
        }

        var scheme = operand.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            var name = operand.AsSpan(0, scheme);
            if (!name.Equals("scp", StringComparison.OrdinalIgnoreCase) && !name.Equals("sftp", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("ssh", StringComparison.OrdinalIgnoreCase) && !name.Equals("rsync", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var rest = operand.AsSpan(scheme + 3);
            var slash = rest.IndexOf('/');
            return ParseAuthority(slash < 0 ? rest : rest[..slash], out host, out port) && host.Length > 0;
        }

        var colon = FindHostColon(operand);
        if (colon <= 0)
        {
            return false;
        }

        var authority = operand.AsSpan(0, colon);
        var at = authority.LastIndexOf('@');
        var hostPart = at >= 0 ? authority[(at + 1)..] : authority;
        if (hostPart.Length >= 2 && hostPart[0] == '[' && hostPart[^1] == ']')
        {
            hostPart = hostPart[1..^1];
        }

        if (hostPart.IsEmpty || (singleLetterIsDrive && at < 0 && hostPart.Length == 1 && char.IsAsciiLetter(hostPart[0])))
        {
            return false;
        }

        host = hostPart.ToString();
        return true;
    }

    /// <summary>Finds the colon that separates host from path, or -1 when a slash comes first (a local path).</summary>
    private static int FindHostColon(string operand)
    {
        var inBrackets = false;
        for (var i = 0; i < operand.Length; i++)
        {
            switch (operand[i])
            {
                case '[':
                    inBrackets = true;
                    break;
                case ']':
                    inBrackets = false;
                    break;
                case '/':
                    if (!inBrackets)
                    {
                        return -1;
                    }

                    break;
                case ':':
                    if (!inBrackets)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }

    /// <summary>Parses <c>[user[:password]@]host[:port]</c>.</summary>
    public static bool ParseAuthority(ReadOnlySpan<char> authority, out string host, out int? port)
    {
        port = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (authority.Length > 0 && authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                host = authority.ToString();
                return true;
            }

            host = authority[1..close].ToString();
            var after = authority[(close + 1)..];
            if (after.Length > 1 && after[0] == ':')
            {
                port = ParsePort(after[1..]);
            }

            return true;
        }

        var colon = authority.LastIndexOf(':');
        if (colon >= 0)
        {
            port = ParsePort(authority[(colon + 1)..]);
            authority = authority[..colon];
        }

        host = authority.ToString();
        return true;
    }

    /// <summary>Parses a port number (1–65535), or returns <see langword="null"/>.</summary>
    public static int? ParsePort(ReadOnlySpan<char> text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535 ? value : null;

    /// <summary>Parses a port number (1–65535), or returns <see langword="null"/>.</summary>
    public static int? ParsePort(string? text) => text is null ? null : ParsePort(text.AsSpan());

    /// <summary>Parses an HTTP-style URL, adding <c>http://</c> when the scheme is missing (as curl and wget do).</summary>
    public static bool TryParseUrl(string url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return false;
        }

        var text = url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url;
        return Uri.TryCreate(text, UriKind.Absolute, out uri) && uri.Host.Length > 0;
    }

    /// <summary>Gets the host and port of a git remote given as a URL (<c>https://</c>, <c>ssh://</c>, <c>git://</c>) or scp-like (<c>git@host:org/repo</c>).</summary>
    public static bool TryParseGitRemote(string remote, out string host, out int? port)
    {
        host = string.Empty;
        port = null;
        var scheme = remote.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            var rest = remote.AsSpan(scheme + 3);
            var slash = rest.IndexOf('/');
            if (!ParseAuthority(slash < 0 ? rest : rest[..slash], out host, out port) || host.Length == 0)
            {
                return false;
            }

            if (port is null && remote.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                port = 443;
            }
            else if (port is null && remote.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                port = 80;
            }

            return true;
        }

        return TryParseRemotePath(remote, out host, out port, singleLetterIsDrive: true);
    }

    /// <summary>Gets the last path segment of a URL (what <c>curl -O</c> and <c>wget</c> save as), or <see langword="null"/>.</summary>
    public static string? RemoteFileName(Uri uri)
    {
        var path = uri.AbsolutePath;
        var slash = path.LastIndexOf('/');
        var name = slash >= 0 ? path[(slash + 1)..] : path;
        return name.Length == 0 ? null : Uri.UnescapeDataString(name);
    }
}
