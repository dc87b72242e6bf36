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
        table.Add(Client, "ftp", "tftp", "lftp", "smbclient", "hping3", "ab", "lp", "lpr", "restic", "telnet",
            "sshfs", "curlie", "http", "https", "xh", "croc", "wormhole");
        table.Add(Dns, "nslookup", "dig", "host", "drill", "kdig", "delv");
        table.Add(Finger, "finger");
        table.Add(QueryServer, "whois", "cancel", "lpq", "lprm", "lpstat");
        table.Add(RemoteLogin, "rlogin", "rsh", "rexec");
        table.Add(FileServer, [.. s_fileServers.Keys]);
        table.Add(Ztcp, "ztcp");
        table.Add(OpenSsl, "openssl");
        table.Add(Tailscale, "tailscale");
        table.Add(Account, "useradd", "adduser", "usermod", "pw", "dscl", "sysadminctl", "dseditgroup", "chpasswd", "dsenableroot", "newusers");
        table.Add(KernelModule, "insmod", "modprobe", "kextload", "kmutil", "rmmod", "kextunload");
        table.Add(Defenses, "setenforce", "auditctl");
    }

    private static void Client(in ProgramContext context)
    {
        string? host = null;
        int? port = null;
        var files = new List<string>();
        var span = context.Whole;
        string? script = null;
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            if (argument is "-c" or "-e" && i + 1 < context.Count && context.Name is "smbclient" or "lftp" or "tftp")
            {
                // smbclient -c 'put f', lftp -c/-e 'put f', tftp -c put f: commands given on the command line.
                script = context.Name == "tftp" ? context.Join(i + 1) : context[i + 1];
                if (context.Name == "tftp")
                {
                    break;
                }

                i++;
                continue;
            }

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

        if (context.Name is "ftp" or "tftp" or "lftp" or "smbclient")
        {
            // The client's own commands: on the command line, on standard input, or typed after it in a terminal.
            script ??= context.Invocation.StdinText ?? TransferTools.TypedAhead(context);
            if (script is not null)
            {
                var downloads = new List<string>();
                TransferTools.ParseClientScript(context, script, files, downloads);
            }
        }

        if (host is null && files.Count == 0)
        {
            return;
        }

        // A raw stream client (telnet) sends whatever its standard input carries: piped text is data to the host.
        var sendsInput = context.Name == "telnet" && host is not null
            && (context.Invocation.StdinText is { Length: > 0 } || context.Invocation.StdinFromPipe || !context.Invocation.TypeAhead.IsEmpty);
        context.Transfer(files.Count > 0 || sendsInput ? TransferDirection.Upload : TransferDirection.Unknown, span, host, port, files);
    }

    /// <summary>
    /// A DNS query name whose leading labels are computed (<c>$(… | base64).example.com</c>) carries data to the name
    /// servers of the literal domain after it: DNS tunnelling. Looking up a literal or wholly computed name is not.
    /// </summary>
    private static void Dns(in ProgramContext context)
    {
        int? port = null;
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] == "-p" && i + 1 < context.Count)
            {
                port = NetworkAddresses.ParsePort(context[++i]);
                continue;
            }

            var name = context[i];
            if (name.StartsWith('-') || name.StartsWith('@') || name.StartsWith('+'))
            {
                continue;
            }

            var computed = LastComputedIndex(name);
            if (computed < 0)
            {
                continue;
            }

            var suffix = name[(computed + 1)..];
            var dot = suffix.IndexOf('.', StringComparison.Ordinal);
            var domain = dot < 0 ? string.Empty : suffix[(dot + 1)..].TrimEnd('.');
            if (domain.Contains('.', StringComparison.Ordinal) && domain.AsSpan().IndexOfAny(NotInHost) < 0 && !IsInternalDomain(domain))
            {
                context.Transfer(TransferDirection.Upload, context.SpanAt(i), domain, port);
                return;
            }
        }

        Client(context);
    }

    /// <summary>Names resolved inside the site (mDNS, cluster DNS, reserved internal zones): no outside server learns them.</summary>
    private static bool IsInternalDomain(string domain)
    {
        var name = domain.ToLowerInvariant();
        foreach (var zone in s_internalZones)
        {
            if (name == zone[1..] || name.EndsWith(zone, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] s_internalZones = [".local", ".internal", ".localhost", ".lan", ".home.arpa", ".svc", ".cluster.local", ".localdomain"];

    /// <summary>Gets the index of the last character of the last computed part of an argument (<c>$(…)</c>, <c>`…`</c>, <c>$X</c>), or -1.</summary>
    private static int LastComputedIndex(string text)
    {
        var last = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`')
            {
                var close = text.IndexOf('`', i + 1);
                last = close < 0 ? text.Length - 1 : close;
                i = last;
            }
            else if (text[i] == '$' && i + 1 < text.Length)
            {
                var end = i + 1;
                if (text[end] is '(' or '{')
                {
                    var close = text.IndexOf(text[end] == '(' ? ')' : '}', end);
                    end = close < 0 ? text.Length - 1 : close;
                }
                else
                {
                    while (end + 1 < text.Length && (char.IsAsciiLetterOrDigit(text[end + 1]) || text[end + 1] == '_'))
                    {
                        end++;
                    }
                }

                last = end;
                i = end;
            }
        }

        return last;
    }

    /// <summary><c>finger USER@HOST</c> sends USER to HOST's finger daemon (a channel for data); a local <c>finger user</c> does not leave the host.</summary>
    private static void Finger(in ProgramContext context)
    {
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            var at = argument.LastIndexOf('@');
            if (argument.StartsWith('-') || at < 0 || at == argument.Length - 1)
            {
                continue;
            }

            var host = HostOf(argument[(at + 1)..], out var port);
            if (host is not null)
            {
                context.Transfer(at > 0 ? TransferDirection.Upload : TransferDirection.Unknown, context.SpanAt(i), host, port);
            }
        }
    }

    /// <summary>
    /// whois and the CUPS clients talk to a default server unless told otherwise; pointed at a chosen server
    /// (<c>-h HOST</c>) they send their query or user name there: data to a host the agent picked.
    /// </summary>
    private static void QueryServer(in ProgramContext context)
    {
        var hostIndex = -1;
        for (var i = 0; i + 1 < context.Count; i++)
        {
            if (context[i] is "-h" or "--host" or "-H")
            {
                hostIndex = i + 1;
                break;
            }
        }

        if (hostIndex < 0)
        {
            Client(context);
            return;
        }

        var host = HostOf(context[hostIndex], out var port);
        for (var i = 0; i + 1 < context.Count; i++)
        {
            if (context[i] is "-p" or "--port")
            {
                port ??= NetworkAddresses.ParsePort(context[i + 1]);
            }
        }

        if (host is null)
        {
            return;
        }

        // Anything besides the server and its port is what gets sent: the query, a user name, a job id.
        var sends = false;
        for (var i = 0; i < context.Count; i++)
        {
            if (i == hostIndex || i == hostIndex - 1 || (i > 0 && context[i - 1] is "-p" or "--port") || context[i] is "-p" or "--port")
            {
                continue;
            }

            sends |= !context[i].StartsWith('-') || context[i].Length > 2;
        }

        context.Transfer(sends ? TransferDirection.Upload : TransferDirection.Unknown, context.Whole, host, port);
    }

    /// <summary>rlogin/rsh/rexec HOST [CMD]: a session (or a command) on another host, like ssh.</summary>
    private static void RemoteLogin(in ProgramContext context)
    {
        string? host = null;
        var commandStart = -1;
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] is "-l" or "-p" or "-e" or "-k" && i + 1 < context.Count)
            {
                i++;
                continue;
            }

            if (context[i].StartsWith('-'))
            {
                continue;
            }

            if (host is null)
            {
                host = context[i].Contains('@', StringComparison.Ordinal) ? context[i][(context[i].LastIndexOf('@') + 1)..] : context[i];
                continue;
            }

            commandStart = i;
            break;
        }

        if (host is null)
        {
            return;
        }

        var command = commandStart >= 0 ? context.Join(commandStart) : null;
        context.Remote(context.Name, host, command, context.Whole);
        if (command is not null)
        {
            context.Shell(command, context.SpanOf(commandStart, context.Count - 1), context.Name + " " + host);
        }
    }

    /// <summary>zsh's <c>ztcp HOST PORT</c> opens a TCP connection the shell then writes to; <c>ztcp -l PORT</c> listens.</summary>
    private static void Ztcp(in ProgramContext context)
    {
        var operands = new List<int>();
        var listen = false;
        for (var i = 0; i < context.Count; i++)
        {
            if (context[i] == "-l")
            {
                listen = true;
            }
            else if (context[i] is "-d" && i + 1 < context.Count)
            {
                i++;
            }
            else if (context[i] is "-c" or "-a" or "-L" or "-v" or "-t" or "-f")
            {
                if (context[i] == "-c")
                {
                    return; // closes a connection
                }
            }
            else
            {
                operands.Add(i);
            }
        }

        if (listen)
        {
            context.Listen(context.Whole, operands.Count > 0 ? NetworkAddresses.ParsePort(context[operands[0]]) : null);
        }
        else if (operands.Count > 0)
        {
            context.Transfer(TransferDirection.Upload, context.Whole, context[operands[0]], operands.Count > 1 ? NetworkAddresses.ParsePort(context[operands[1]]) : null);
        }
    }

    /// <summary>How a file-serving program is told what to serve and where to listen.</summary>
    private sealed record ServerSpec(string[] Values, string[] Root, string[] Port, string[] Bind, bool OperandIsRoot, string? Subcommand = null);

    private static readonly Dictionary<string, ServerSpec> s_fileServers = new(StringComparer.Ordinal)
    {
        ["http-server"] = new(["-p", "--port", "-a", "-c", "-e", "--ext", "-C", "--cert", "-K", "--key", "-P", "--proxy", "--username", "--password", "-t", "--timeout", "-U", "--utc", "--log-ip"], [], ["-p", "--port"], ["-a"], OperandIsRoot: true),
        ["live-server"] = new(["--port", "--host", "--open", "--watch", "--ignore", "--entry-file", "--mount", "--proxy", "--htpasswd", "--cors", "--https", "--middleware", "--wait"], [], ["--port"], ["--host"], OperandIsRoot: true),
        ["serve"] = new(["-l", "--listen", "-c", "--config", "--ssl-cert", "--ssl-key", "--ssl-pass", "-p"], [], ["-p"], ["-l", "--listen"], OperandIsRoot: true),
        ["miniserve"] = new(["-p", "--port", "-i", "--interfaces", "-a", "--auth", "-t", "--title", "-c", "--color-scheme", "--route-prefix", "--tls-cert", "--tls-key"], [], ["-p", "--port"], ["-i", "--interfaces"], OperandIsRoot: true),
        ["darkhttpd"] = new(["--port", "--addr", "--log", "--index", "--mimetypes", "--default-mimetype", "--uid", "--gid", "--pidfile", "--auth", "--header"], [], ["--port"], ["--addr"], OperandIsRoot: true),
        ["webfsd"] = new(["-p", "-r", "-i", "-n", "-N", "-t", "-c", "-a", "-u", "-g", "-f", "-b", "-L"], ["-r"], ["-p"], ["-i"], OperandIsRoot: false),
        ["updog"] = new(["-d", "--directory", "-p", "--port", "--password"], ["-d", "--directory"], ["-p", "--port"], [], OperandIsRoot: false),
        ["simplehttpserver"] = new(["-path", "-listen", "-username", "-password", "-realm", "-header", "-cert", "-key", "-domain", "-max-file-size"], ["-path"], [], ["-listen"], OperandIsRoot: false),
        ["httpd"] = new(["-p", "-h", "-c", "-u", "-r", "-m", "-e", "-d"], ["-h"], ["-p"], [], OperandIsRoot: false), // busybox httpd (-f is "foreground")
        ["caddy"] = new(["--root", "-r", "--listen", "-l", "--domain", "-d", "--templates"], ["--root", "-r"], [], ["--listen", "-l"], OperandIsRoot: false, Subcommand: "file-server"),
    };

    /// <summary>
    /// Static file servers (http-server, serve, miniserve, darkhttpd, busybox httpd, caddy file-server, …): whoever can
    /// connect can read the served directory, so it is modelled as those files offered to no particular host.
    /// </summary>
    private static void FileServer(in ProgramContext context)
    {
        var spec = s_fileServers[context.Name];
        var start = 0;
        if (spec.Subcommand is { } subcommand)
        {
            if (context.Count == 0 || context[0] != subcommand)
            {
                return;
            }

            start = 1;
        }

        if (context.Name == "httpd" && Array.IndexOf(context.Args.ToArray(), "-h") < 0 && context.Via?.Contains("busybox", StringComparison.Ordinal) != true)
        {
            return; // Apache httpd: serves what its configuration says
        }

        string? root = null;
        int? port = null;
        string? bind = null;
        for (var i = start; i < context.Count; i++)
        {
            var argument = context[i];
            string? value = null;
            var name = argument;
            var eq = argument.IndexOf('=', StringComparison.Ordinal);
            if (argument.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = argument[..eq];
                value = argument[(eq + 1)..];
            }
            else if (Array.IndexOf(spec.Values, argument) >= 0 && i + 1 < context.Count)
            {
                value = context[++i];
            }
            else if (!argument.StartsWith('-') && spec.OperandIsRoot)
            {
                root ??= context.Path(argument);
                continue;
            }

            if (value is null)
            {
                continue;
            }

            if (Array.IndexOf(spec.Root, name) >= 0)
            {
                root = context.Path(value);
            }
            else if (Array.IndexOf(spec.Port, name) >= 0 || Array.IndexOf(spec.Bind, name) >= 0)
            {
                // A port (8080) or an address ([IP]:PORT, tcp://HOST:PORT).
                var address = value.Contains("://", StringComparison.Ordinal) ? value[(value.IndexOf("://", StringComparison.Ordinal) + 3)..] : value;
                if (NetworkAddresses.ParsePort(address) is { } only)
                {
                    port = only;
                }
                else if (NetworkAddresses.ParseAuthority(address, out var host, out var boundPort))
                {
                    bind = host.Length == 0 ? null : host;
                    port = boundPort ?? port;
                }
            }
        }

        context.Serve([root ?? context.WorkingDirectory ?? "."], port, bind, context.Whole);
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
        // Unloading takes code out of the kernel (a security driver, an audit or network filter): a stop, not persistence.
        var unload = context.Name is "rmmod" or "kextunload"
            || (context.Name == "kmutil" && context.Count > 0 && context[0] == "unload")
            || (context.Name == "modprobe" && ContainsAny(context, "-r", "--remove"));
        if (unload)
        {
            var modules = new List<string>();
            for (var i = context.Name == "kmutil" ? 1 : 0; i < context.Count; i++)
            {
                if (!context[i].StartsWith('-'))
                {
                    modules.Add(context[i]);
                }
            }

            if (modules.Count > 0)
            {
                context.Signal("TERM", modules, context.Whole);
            }

            return;
        }

        if (context.Name == "kmutil" && (context.Count == 0 || context[0] != "load"))
        {
            return;
        }

        if (context.Name == "modprobe" && ContainsAny(context, "-n", "--dry-run", "--show-depends", "-c"))
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
