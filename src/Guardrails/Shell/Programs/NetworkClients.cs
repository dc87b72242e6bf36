using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>
/// Semantics of the long tail of network clients an agent can use to move data off the host — ftp, tftp, smbclient,
/// openssl s_client, hping3, ab, lp, restic, whois, finger, telnet, sshfs, DNS tools — and of programs that serve files.
/// </summary>
/// <remarks>
/// These tools are too many and too varied for one handler each, and what matters is the same for all of them: which
/// remote host they talk to and which local files they can send. The handler finds the host (a URL, <c>user@host</c>,
/// <c>host:port</c>, <c>//host/share</c>, or the value of a host option) and the local files (path-like arguments and
/// standard input redirected from a file) and records a transfer: an upload when files go with it.
/// </remarks>
internal static class NetworkClients
{
    private static readonly string[] HostOptions = ["-h", "--host", "-connect", "-H", "-S", "--server", "-r", "--repo"];
    private static readonly System.Buffers.SearchValues<char> NotInHost = System.Buffers.SearchValues.Create(" $`'\"*");

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Client, "ftp", "tftp", "lftp", "smbclient", "hping3", "ab", "lp", "lpr", "restic", "whois", "finger", "telnet", "rlogin",
            "sshfs", "curlie", "http", "https", "xh", "croc", "wormhole", "nslookup", "dig", "host", "cancel");
        table.Add(OpenSsl, "openssl");
        table.Add(Tailscale, "tailscale");
        table.Add(Account, "useradd", "adduser", "usermod", "pw", "dscl", "sysadminctl", "dseditgroup", "chpasswd", "dsenableroot", "newusers");
        table.Add(KernelModule, "insmod", "modprobe", "kextload", "kmutil");
        table.Add(Defenses, "setenforce", "auditctl");
    }

    private static void Client(in ProgramContext context)
    {
        string? host = null;
        int? port = null;
        var files = new List<string>();
        var span = context.Whole;
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            if (Array.IndexOf(HostOptions, argument) >= 0 && i + 1 < context.Count)
            {
                host ??= HostOf(context[i + 1], out port);
                i++;
                continue;
            }

            if (argument.StartsWith('-'))
            {
                continue;
            }

            if (IsLocalPath(argument))
            {
                files.Add(context.Path(argument));
                continue;
            }

            host ??= HostOf(argument, out port);
        }

        if (context.Invocation.StdinFile is { } stdin)
        {
            files.Add(stdin);
        }

        if (host is null && files.Count == 0)
        {
            return;
        }

        context.Transfer(files.Count > 0 ? TransferDirection.Upload : TransferDirection.Unknown, span, host, port, files);
    }

    private static void OpenSsl(in ProgramContext context)
    {
        // openssl s_client -connect host:port < file: a TLS pipe to a remote host.
        if (context.Count == 0 || context[0] != "s_client")
        {
            return;
        }

        Client(context);
    }

    private static void Tailscale(in ProgramContext context)
    {
        // tailscale serve|funnel PATH publishes local files to the tailnet or the internet.
        if (context.Count > 0 && context[0] is "serve" or "funnel" or "file")
        {
            var files = new List<string>();
            for (var i = 1; i < context.Count; i++)
            {
                if (IsLocalPath(context[i]) || (context[i].Contains('/', StringComparison.Ordinal) && !context[i].Contains("://", StringComparison.Ordinal) && !context[i].StartsWith('-')))
                {
                    files.Add(context.Path(context[i]));
                }
            }

            context.Transfer(TransferDirection.Upload, context.Whole, "tailscale", null, files);
        }
    }

    private static void Account(in ProgramContext context)
    {
        // Creating or changing accounts (and their passwords or shells) keeps access to the host: persistence.
        if (context.Name is "dscl" && !ContainsAny(context, "-create", "-append", "-passwd", "-merge"))
        {
            return;
        }

        if (context.Name is "pw" && (context.Count == 0 || context[0] is not ("useradd" or "usermod" or "groupmod" or "user")))
        {
            return;
        }

        context.Add(new ScheduledTask("account") { Command = context.Name, Source = context.Source, Span = context.Whole, Via = context.Via });
    }

    private static void KernelModule(in ProgramContext context)
    {
        if (context.Name == "kmutil" && (context.Count == 0 || context[0] != "load"))
        {
            return;
        }

        if (context.Name == "modprobe" && ContainsAny(context, "-r", "--remove", "-n", "--dry-run", "--show-depends", "-c"))
        {
            return;
        }

        context.Add(new ScheduledTask("kernel-module") { Command = context.Name, Source = context.Source, Span = context.Whole, Via = context.Via });
    }

    private static void Defenses(in ProgramContext context)
    {
        // setenforce 0 / auditctl -e 0 / auditctl -D turn off the host's watchers.
        var off = context.Name == "setenforce"
            ? context.Count > 0 && context[0] is "0" or "Permissive" or "permissive"
            : ContainsAny(context, "-D") || (IndexOf(context, "-e") is var e and >= 0 && e + 1 < context.Count && context[e + 1] == "0");
        if (off)
        {
            context.Signal("TERM", [context.Name == "setenforce" ? "selinux" : "auditd"], context.Whole);
        }
    }

    private static bool ContainsAny(in ProgramContext context, params string[] values)
    {
        for (var i = 0; i < context.Count; i++)
        {
            if (Array.IndexOf(values, context[i]) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static int IndexOf(in ProgramContext context, string value)
    {
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsLocalPath(string argument) =>
        argument.Length > 1 && (argument[0] == '/' || argument.StartsWith("./", StringComparison.Ordinal) || argument.StartsWith("../", StringComparison.Ordinal) || argument.StartsWith("~/", StringComparison.Ordinal))
        && !argument.StartsWith("//", StringComparison.Ordinal);

    /// <summary>Extracts a host from <c>scheme://host:port/x</c>, <c>user@host</c>, <c>host:port</c>, <c>//host/share</c> or <c>\\host\share</c>.</summary>
    private static string? HostOf(string text, out int? port)
    {
        port = null;
        var value = text.Replace('\\', '/');
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            value = value[(scheme + 3)..];
        }
        else if (value.StartsWith("//", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        var at = value.LastIndexOf('@');
        if (at >= 0)
        {
            value = value[(at + 1)..];
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            value = value[..slash];
        }

        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            port = parsed;
            value = value[..colon];
        }

        // A host has a dot (name or IPv4) or is localhost; bare words are file names or commands.
        return value.Length > 0 && (value.Contains('.', StringComparison.Ordinal) || value == "localhost") && value.AsSpan().IndexOfAny(NotInHost) < 0 ? value : null;
    }
}
