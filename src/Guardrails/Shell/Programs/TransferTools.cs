using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>Transfer tools: scp, sftp, rsync, rclone, curl, wget, nc, socat, ssh, git and the Hugging Face CLI.</summary>
internal static class TransferTools
{
    private static readonly OptionSpec s_scp = new(shortValues: "cFiJloPSDX");

    private static readonly OptionSpec s_sftp = new(shortValues: "BbcDFiJloPRSsX");

    private static readonly OptionSpec s_rsync = new(
        shortValues: "efTBM@",
        longValues: ["rsh", "rsync-path", "filter", "exclude", "include", "exclude-from", "include-from", "files-from", "temp-dir", "partial-dir", "compare-dest", "copy-dest", "link-dest", "block-size", "port", "password-file", "log-file", "log-file-format", "bwlimit", "chmod", "chown", "timeout", "contimeout", "remote-option", "max-size", "min-size", "suffix", "backup-dir", "out-format", "usermap", "groupmap", "info", "debug", "iconv", "sockopts", "protocol", "checksum-choice", "compress-choice", "compress-level", "skip-compress", "modify-window", "outbuf", "early-input", "address", "stop-after", "stop-at", "max-alloc", "max-delete", "write-batch", "only-write-batch", "read-batch", "checksum-seed", "copy-as"],
        longFlags: ["recursive", "archive", "verbose", "compress", "delete", "remove-source-files", "progress", "partial", "dry-run", "update", "links", "perms", "times", "group", "owner", "devices", "specials", "hard-links", "acls", "xattrs", "checksum", "whole-file", "relative", "mkpath", "human-readable", "quiet", "stats", "inplace", "append", "sparse", "existing", "ignore-existing", "delete-after", "delete-before", "delete-excluded", "prune-empty-dirs", "numeric-ids", "one-file-system", "dirs", "copy-links", "safe-links", "copy-unsafe-links", "keep-dirlinks", "no-implied-dirs", "itemize-changes", "list-only", "from0", "secluded-args", "protect-args", "ipv4", "ipv6", "fake-super", "super"],
        aliases: ["rsh=e", "recursive=r", "archive=a", "filter=f", "temp-dir=T", "block-size=B", "remote-option=M"],
        abbreviations: true);

    private static readonly OptionSpec s_rclone = new(
        longValues: ["config", "transfers", "checkers", "bwlimit", "include", "exclude", "filter", "include-from", "exclude-from", "filter-from", "files-from", "log-file", "log-level", "stats", "max-age", "min-age", "max-size", "min-size", "backup-dir", "suffix", "max-transfer", "order-by", "multi-thread-streams", "buffer-size", "retries", "low-level-retries", "timeout", "contimeout", "user-agent", "header", "drive-chunk-size", "s3-chunk-size", "s3-upload-concurrency", "max-depth", "tpslimit", "cache-dir", "password-command", "rc-addr", "stats-log-level", "compare-dest", "copy-dest", "cutoff-mode", "max-duration", "streaming-upload-cutoff"]);

    private static readonly OptionSpec s_curl = new(
        shortValues: "AbcCdDeEFHKmoPQrTtuUwxXyYz",
        longValues: ["url", "data", "data-ascii", "data-binary", "data-raw", "data-urlencode", "json", "form", "form-string", "header", "user", "user-agent", "referer", "cookie", "cookie-jar", "proxy", "proxy-user", "max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time", "output", "upload-file", "request", "cacert", "capath", "cert", "key", "key-type", "cert-type", "pass", "ciphers", "resolve", "connect-to", "interface", "limit-rate", "max-filesize", "max-redirs", "output-dir", "range", "speed-limit", "speed-time", "time-cond", "trace", "trace-ascii", "dump-header", "write-out", "unix-socket", "abstract-unix-socket", "oauth2-bearer", "proto", "proto-redir", "dns-servers", "local-port", "expect100-timeout", "noproxy", "preproxy", "proxy-header", "aws-sigv4", "variable", "url-query", "config", "stderr", "socks5", "socks4", "socks4a", "socks5-hostname", "netrc-file", "create-file-mode", "ftp-port", "quote", "telnet-option", "mail-from", "mail-rcpt", "mail-auth", "request-target", "hostpubmd5", "hostpubsha256", "pubkey", "crlfile", "engine", "tls-max", "proxy-cacert", "happy-eyeballs-timeout-ms", "keepalive-time", "sasl-authzid", "service-name", "login-options", "delegation", "krb", "etag-save", "etag-compare", "parallel-max", "rate"],
        aliases: ["data=d", "data-ascii=d", "form=F", "header=H", "output=o", "upload-file=T", "request=X", "user=u", "config=K", "dump-header=D", "cookie-jar=c", "remote-name=O", "head=I", "get=G", "user-agent=A", "referer=e", "cookie=b", "proxy=x", "max-time=m"]);

    private static readonly OptionSpec s_wget = new(
        shortValues: "OoaPUeitTwBQlARDIXn",
        longValues: ["output-document", "output-file", "append-output", "directory-prefix", "user-agent", "execute", "input-file", "tries", "timeout", "wait", "base", "quota", "level", "accept", "reject", "domains", "include-directories", "exclude-directories", "header", "post-data", "post-file", "body-data", "body-file", "method", "user", "password", "http-user", "http-password", "ftp-user", "ftp-password", "limit-rate", "bind-address", "referer", "load-cookies", "save-cookies", "ca-certificate", "certificate", "private-key", "config", "proxy-user", "proxy-password", "dns-timeout", "connect-timeout", "read-timeout", "waitretry", "restrict-file-names", "regex-type", "accept-regex", "reject-regex", "exclude-domains", "follow-tags", "ignore-tags", "default-page", "cut-dirs", "secure-protocol", "ca-directory", "certificate-type", "private-key-type", "crl-file", "pinnedpubkey", "local-encoding", "remote-encoding", "warc-file", "max-redirect", "backups", "report-speed", "progress"],
        longFlags: ["background", "quiet", "verbose", "spider", "recursive", "mirror", "continue", "no-check-certificate", "timestamping", "page-requisites", "convert-links", "no-parent", "server-response", "content-disposition", "no-verbose"],
        aliases: ["output-document=O", "directory-prefix=P", "execute=e", "input-file=i", "background=b", "recursive=r", "mirror=m"],
        abbreviations: true);

    private static readonly OptionSpec s_nc = new(
        shortValues: "pswiqecxXPTIOVMo",
        longValues: ["exec", "sh-exec", "lua-exec", "source-port", "source", "wait", "idle-timeout", "proxy", "proxy-type", "proxy-auth", "output", "hex-dump", "allow", "allowfile", "deny", "denyfile", "max-conns", "ssl-cert", "ssl-key", "ssl-trustfile", "ssl-ciphers", "ssl-alpn", "append-output"],
        longFlags: ["listen", "keep-open", "udp", "sctp", "send-only", "recv-only", "broker", "chat", "ssl", "nodns", "verbose", "zero"],
        aliases: ["listen=l", "exec=e", "sh-exec=c", "source-port=p", "keep-open=k", "udp=u", "source=s", "zero=z"]);

    private static readonly OptionSpec s_ssh = new(shortValues: "BbcDEeFIiJLlmOopQRSWw", stopAtFirstOperand: true);

    private static readonly OptionSpec s_autossh = new(shortValues: "BbcDEeFIiJLlmOopQRSWwM", stopAtFirstOperand: true);

    private static readonly OptionSpec s_gitGlobal = new(
        shortValues: "Cc",
        longValues: ["git-dir", "work-tree", "namespace", "config-env", "super-prefix", "list-cmds", "attr-source"],
        longOptional: ["exec-path"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_gitPush = new(
        shortValues: "o",
        longValues: ["repo", "push-option", "receive-pack", "exec", "recurse-submodules"],
        longOptional: ["signed", "force-with-lease", "force-if-includes"],
        longFlags: ["all", "mirror", "tags", "force", "set-upstream", "delete", "dry-run", "porcelain", "atomic", "follow-tags", "no-verify", "verbose", "quiet", "prune", "progress", "thin", "no-thin"],
        aliases: ["exec=receive-pack"],
        abbreviations: true);

    private static readonly OptionSpec s_gitClone = new(
        shortValues: "bocujn",
        longValues: ["branch", "origin", "upload-pack", "config", "jobs", "depth", "reference", "reference-if-able", "separate-git-dir", "filter", "template", "shallow-since", "shallow-exclude", "bundle-uri", "server-option", "revision"],
        longOptional: ["recurse-submodules"],
        longFlags: ["bare", "mirror", "quiet", "verbose", "progress", "no-checkout", "single-branch", "no-single-branch", "no-tags", "shallow-submodules", "local", "no-hardlinks", "shared", "dissociate", "sparse", "also-filter-submodules", "remote-submodules"],
        aliases: ["branch=b", "origin=o", "upload-pack=u", "config=c", "jobs=j"],
        abbreviations: true);

    private static readonly OptionSpec s_huggingFace = new(
        longValues: ["repo-type", "revision", "commit-message", "commit-description", "include", "exclude", "delete", "token", "every", "local-dir", "cache-dir", "max-workers", "num-workers", "path-in-repo", "repo-id", "local-dir-use-symlinks", "flavor", "env", "secrets", "timeout", "namespace", "image"],
        longFlags: ["private", "create-pr", "quiet", "force-download", "resume-download", "detach"]);

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Scp, "scp");
        table.Add(Sftp, "sftp");
        table.Add(Rsync, "rsync");
        table.Add(Rclone, "rclone");
        table.Add(Curl, "curl");
        table.AddManual(Wget, "wget", "wget2");
        table.Add(Netcat, "nc", "ncat", "netcat", "nc.openbsd", "nc.traditional");
        table.Add(Socat, "socat");
        table.AddManual(Ssh, "ssh", "autossh");
        table.Add(Git, "git");
        table.Add(HuggingFace, "huggingface-cli", "hf");
    }

    private static void Scp(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_scp);
        var port = NetworkAddresses.ParsePort(parsed.Value("P")) ?? SshOptionPort(parsed);
        RemoteCopy(context, parsed, port, parsed.Has("r"), FileAction.Copy);
    }

    /// <summary>The scp/rsync shape: sources then destination, any of which may be <c>[user@]host:path</c>.</summary>
    internal static void RemoteCopy(in ProgramContext context, ParsedArguments parsed, int? port, bool recursive, FileAction localAction, int first = 0, string? program = null)
    {
        var count = parsed.OperandCount;
        if (count <= first)
        {
            return;
        }

        if (count == first + 1)
        {
            if (NetworkAddresses.TryParseRemotePath(parsed.Operand(first), out var onlyHost, out var onlyPort))
            {
                context.Transfer(TransferDirection.Unknown, context.SpanAt(parsed.Operands[first]), onlyHost, port ?? onlyPort, remote: parsed.Operand(first), program: program);
            }

            return;
        }

        var destination = parsed.Operand(count - 1);
        if (NetworkAddresses.TryParseRemotePath(destination, out var host, out var urlPort))
        {
            var locals = new List<string>(count - 1);
            for (var k = first; k < count - 1; k++)
            {
                if (!NetworkAddresses.TryParseRemotePath(parsed.Operand(k), out _, out _))
                {
                    locals.Add(context.Path(parsed.Operand(k)));
                }
            }

            var direction = locals.Count > 0 ? TransferDirection.Upload : TransferDirection.Unknown;
            context.Transfer(direction, context.OperandSpan(parsed, first, count), host, port ?? urlPort, locals, destination, program);
            return;
        }

        var localDestination = context.Path(destination);
        var anyRemote = false;
        for (var k = first; k < count - 1; k++)
        {
            var source = parsed.Operand(k);
            if (NetworkAddresses.TryParseRemotePath(source, out var sourceHost, out var sourcePort))
            {
                anyRemote = true;
                var span = TextSpan.Union(context.SpanAt(parsed.Operands[k]), context.SpanAt(parsed.Operands[count - 1]));
                context.Transfer(TransferDirection.Download, span, sourceHost, port ?? sourcePort, [localDestination], source, program);
            }
        }

        if (!anyRemote)
        {
            context.File(localAction, localDestination, context.OperandSpan(parsed, first, count), context.Paths(parsed, first, count - 1), recursive);
        }
    }

    private static int? SshOptionPort(ParsedArguments parsed)
    {
        foreach (var option in parsed.Options)
        {
            if (string.Equals(option.Name, "o", StringComparison.Ordinal) && option.Value is { } value
                && SshConfigValue(value, "Port") is { } port)
            {
                return NetworkAddresses.ParsePort(port);
            }
        }

        return null;
    }

    /// <summary>Reads <c>Key=value</c> or <c>Key value</c> of an ssh <c>-o</c> option (key case-insensitive).</summary>
    private static string? SshConfigValue(string option, string key)
    {
        var text = option.AsSpan().TrimStart();
        if (!text.StartsWith(key, StringComparison.OrdinalIgnoreCase) || text.Length == key.Length)
        {
            return null;
        }

        var separator = text[key.Length];
        if (separator != '=' && separator != ' ' && separator != '\t')
        {
            return null;
        }

        return text[(key.Length + 1)..].Trim().TrimStart('=').Trim().ToString();
    }

    private static void Sftp(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_sftp);
        if (parsed.OperandCount == 0)
        {
            return;
        }

        var destination = parsed.Operand(0);
        var port = NetworkAddresses.ParsePort(parsed.Value("P")) ?? SshOptionPort(parsed);
        var hasPath = NetworkAddresses.TryParseRemotePath(destination, out var host, out var urlPort);
        if (!hasPath)
        {
            NetworkAddresses.ParseAuthority(destination, out host, out _);
        }

        port ??= urlPort;
        var span = context.SpanAt(parsed.Operands[0]);
        var uploads = new List<string>();
        var downloads = new List<string>();
        if ((context.Invocation.StdinText ?? TypedAhead(context)) is { } script && (parsed.Value("b") is null or "-"))
        {
            ParseClientScript(context, script, uploads, downloads);
        }

        if (uploads.Count > 0)
        {
            context.Transfer(TransferDirection.Upload, context.Whole, host, port, uploads, destination);
        }

        if (downloads.Count > 0)
        {
            context.Transfer(TransferDirection.Download, context.Whole, host, port, downloads, destination);
        }

        if (uploads.Count > 0 || downloads.Count > 0)
        {
            return;
        }

        if (hasPath && parsed.Value("b") is null)
        {
            var local = parsed.OperandCount > 1 ? parsed.Operand(1) : ".";
            context.Transfer(TransferDirection.Download, context.OperandSpan(parsed, 0, parsed.OperandCount), host, port, [context.Path(local)], destination);
            return;
        }

        context.Transfer(TransferDirection.Unknown, span, host, port, remote: destination);
    }

    /// <summary>Gets the lines typed after this command (see <see cref="CommandInvocation.TypeAhead"/>), or null.</summary>
    internal static string? TypedAhead(in ProgramContext context) =>
        context.Invocation.TypeAhead.IsEmpty ? null : context.Invocation.TypeAhead.ToString();

    /// <summary>
    /// Reads the commands of an interactive file-transfer client (sftp batch, ftp, tftp, lftp, smbclient): <c>put</c>,
    /// <c>mput</c>, <c>reput</c>, <c>append</c>, <c>send</c> and <c>mirror -R</c> upload local files; <c>get</c>,
    /// <c>mget</c>, <c>reget</c>, <c>recv</c> download; <c>!cmd</c> runs a shell command. Commands are separated by lines
    /// or semicolons.
    /// </summary>
    internal static void ParseClientScript(in ProgramContext context, string script, List<string> uploads, List<string> downloads)
    {
        foreach (var rawLine in script.Split('\n', ';'))
        {
            var line = rawLine.Trim().TrimStart('-', '@').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '!')
            {
                if (line.Length > 1)
                {
                    context.Shell(line[1..], context.Whole, context.Name + " !");
                }

                continue;
            }

            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var command = words[0];
            var reverse = command == "mirror" && words.Any(w => w is "-R" or "--reverse");
            var upload = command is "put" or "mput" or "reput" or "append" or "send" or "mirror" && (command != "mirror" || reverse);
            var download = command is "get" or "mget" or "reget" or "recv" || (command == "mirror" && !reverse);
            if (!upload && !download)
            {
                continue;
            }

            var operands = new List<string>();
            for (var w = 1; w < words.Length; w++)
            {
                if (words[w].Length < 2 || words[w][0] != '-')
                {
                    operands.Add(words[w]);
                }
            }

            if (upload)
            {
                var last = command == "mput" ? operands.Count : Math.Min(1, operands.Count);
                for (var k = 0; k < last; k++)
                {
                    uploads.Add(context.Path(operands[k]));
                }
            }
            else
            {
                downloads.Add(context.Path(operands.Count > 1 && command != "mget" ? operands[1] : "."));
            }
        }
    }

    private static void Rsync(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_rsync);
        int? port = NetworkAddresses.ParsePort(parsed.Value("port"));
        if (parsed.Last("e") is { Value: { } shell } rsh)
        {
            port ??= PortFromSshCommand(shell);
            var program = FirstWord(shell);
            if (program.Length > 0 && !program.EndsWith("ssh", StringComparison.Ordinal) && !program.EndsWith("rsh", StringComparison.Ordinal))
            {
                context.Shell(shell, context.SpanOf(rsh), "rsync -e");
            }
        }

        if (parsed.Last("rsync-path") is { Value: { } remoteProgram } remoteProgramOption && remoteProgram.Contains(' ', StringComparison.Ordinal))
        {
            context.Shell(remoteProgram, context.SpanOf(remoteProgramOption), "rsync --rsync-path");
        }

        RemoteCopy(context, parsed, port, parsed.Has("r", "a"), parsed.Has("remove-source-files") ? FileAction.Move : FileAction.Copy);
    }

    private static string FirstWord(string command)
    {
        var text = command.AsSpan().Trim();
        var space = text.IndexOfAny(' ', '\t');
        var word = space < 0 ? text : text[..space];
        var slash = word.LastIndexOf('/');
        return (slash >= 0 ? word[(slash + 1)..] : word).ToString();
    }

    private static int? PortFromSshCommand(string command)
    {
        var words = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i] == "-p" && i + 1 < words.Length)
            {
                return NetworkAddresses.ParsePort(words[i + 1]);
            }

            if (words[i].StartsWith("-p", StringComparison.Ordinal) && words[i].Length > 2)
            {
                return NetworkAddresses.ParsePort(words[i].AsSpan(2));
            }
        }

        return null;
    }

    private static void Rclone(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_rclone);
        if (parsed.OperandCount == 0)
        {
            return;
        }

        var command = parsed.Operand(0);
        switch (command)
        {
            case "copy" or "sync" or "move" or "copyto" or "moveto" or "bisync" when parsed.OperandCount >= 3:
                var source = parsed.Operand(1);
                var destination = parsed.Operand(2);
                var span = context.OperandSpan(parsed, 1, 3);
                var sourceRemote = RcloneRemote(source, out var sourceHost);
                var destinationRemote = RcloneRemote(destination, out var destinationHost);
                if (destinationRemote && !sourceRemote)
                {
                    context.Transfer(TransferDirection.Upload, span, destinationHost, localPaths: [context.Path(source)], remote: destination);
                }
                else if (sourceRemote && !destinationRemote)
                {
                    context.Transfer(TransferDirection.Download, span, sourceHost, localPaths: [context.Path(destination)], remote: source);
                }
                else if (sourceRemote)
                {
                    context.Transfer(TransferDirection.Unknown, span, destinationHost, remote: destination);
                }
                else
                {
                    var action = command.StartsWith("move", StringComparison.Ordinal) ? FileAction.Move : FileAction.Copy;
                    context.File(action, context.Path(destination), span, [context.Path(source)], recursive: true);
                }

                break;
            case "rcat" when parsed.OperandCount >= 2 && RcloneRemote(parsed.Operand(1), out var rcatHost):
                var stdin = context.Invocation.StdinFile;
                context.Transfer(TransferDirection.Upload, context.SpanAt(parsed.Operands[1]), rcatHost, localPaths: stdin is null ? [] : [stdin], remote: parsed.Operand(1));
                break;
            case "copyurl" when parsed.OperandCount >= 3:
                if (RcloneRemote(parsed.Operand(2), out var copyHost))
                {
                    context.Transfer(TransferDirection.Unknown, context.OperandSpan(parsed, 1, 3), copyHost, remote: parsed.Operand(2));
                }
                else
                {
                    context.File(FileAction.Write, context.Path(parsed.Operand(2)), context.SpanAt(parsed.Operands[2]));
                }

                break;
        }
    }

    private static bool RcloneRemote(string operand, out string name)
    {
        name = string.Empty;
        if (operand.Length > 1 && operand[0] == ':')
        {
            var end = operand.IndexOf(':', 1);
            name = end < 0 ? operand[1..] : operand[1..end];
            return true;
        }

        return NetworkAddresses.TryParseRemotePath(operand, out name, out _, singleLetterIsDrive: true);
    }

    private static void Curl(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_curl);
        var uploads = new List<string>();
        List<string>? bodyParts = null;
        var hasData = false;
        var hasUpload = false;
        var evidence = default(TextSpan);
        var hasEvidence = false;
        var urls = new List<int>();
        var stdinFile = context.Invocation.StdinFile;
        foreach (var option in parsed.Options)
        {
            var value = option.Value;
            var isEvidence = true;
            switch (option.Name)
            {
                case "d" or "data-binary" or "json" when value is not null:
                    hasData = true;
                    if (value is "@-" && context.Invocation.StdinText is { } stdinBody)
                    {
                        (bodyParts ??= []).Add(stdinBody);
                    }
                    else if (value.StartsWith('@'))
                    {
                        AddUpload(context, uploads, value[1..], stdinFile);
                    }
                    else
                    {
                        (bodyParts ??= []).Add(value);
                    }

                    break;
                case "data-raw" when value is not null:
                    hasData = true;
                    (bodyParts ??= []).Add(value);
                    break;
                case "data-urlencode" when value is not null:
                    hasData = true;
                    var at = value.IndexOf('@', StringComparison.Ordinal);
                    var eq = value.IndexOf('=', StringComparison.Ordinal);
                    if (at >= 0 && (eq < 0 || at < eq))
                    {
                        AddUpload(context, uploads, value[(at + 1)..], stdinFile);
                    }
                    else
                    {
                        (bodyParts ??= []).Add(value);
                    }

                    break;
                case "F" when value is not null:
                    hasData = true;
                    var formFile = FormFile(value);
                    if (formFile is not null)
                    {
                        AddUpload(context, uploads, formFile, stdinFile);
                    }
                    else
                    {
                        (bodyParts ??= []).Add(value);
                    }

                    break;
                case "form-string":
                    hasData = true;
                    (bodyParts ??= []).Add(value ?? string.Empty);
                    break;
                case "T" when value is not null:
                    hasUpload = true;
                    AddUpload(context, uploads, value, stdinFile);
                    break;
                case "url" when value is not null:
                    urls.Add(option.ValueIndex);
                    isEvidence = false;
                    break;
                case "o" or "D" or "c" when value is not null && value != "-":
                    context.File(FileAction.Write, context.Path(value), context.SpanOf(option));
                    isEvidence = false;
                    break;
                default:
                    isEvidence = false;
                    break;
            }

            if (isEvidence)
            {
                var span = context.SpanOf(option);
                evidence = hasEvidence ? TextSpan.Union(evidence, span) : span;
                hasEvidence = true;
            }
        }

        urls.AddRange(parsed.Operands);
        urls.Sort();
        var method = parsed.Value("X")?.ToUpperInvariant()
            ?? (hasUpload ? "PUT" : parsed.Has("I") ? "HEAD" : hasData && !parsed.Has("G") ? "POST" : "GET");
        var body = bodyParts is null ? null : string.Join('&', bodyParts);
        var outputDirectory = parsed.Value("output-dir");
        foreach (var index in urls)
        {
            var url = context[index];
            var span = hasEvidence ? TextSpan.Union(context.SpanAt(index), evidence) : context.SpanAt(index);
            var uri = Request(context, method, url, span, body, uploads);
            if (parsed.Has("O") && uri is not null && NetworkAddresses.RemoteFileName(uri) is { } name)
            {
                context.File(FileAction.Write, context.Path(outputDirectory is null ? name : outputDirectory + "/" + name), context.SpanAt(index));
            }
        }
    }

    private static void AddUpload(in ProgramContext context, List<string> uploads, string file, string? stdinFile)
    {
        if (file is "-" or ".")
        {
            if (stdinFile is not null)
            {
                uploads.Add(stdinFile);
            }

            return;
        }

        if (file.Length > 0)
        {
            uploads.Add(context.Path(file));
        }
    }

    /// <summary>Gets the file of a curl form field <c>name=@file;type=…</c> or <c>name=&lt;file</c>, or <see langword="null"/>.</summary>
    private static string? FormFile(string field)
    {
        var eq = field.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0 || eq + 1 >= field.Length || (field[eq + 1] != '@' && field[eq + 1] != '<'))
        {
            return null;
        }

        var file = field.AsSpan(eq + 2);
        var semicolon = file.IndexOf(';');
        if (semicolon >= 0)
        {
            file = file[..semicolon];
        }

        return file.Trim('"').ToString();
    }

    private static Uri? Request(in ProgramContext context, string method, string url, TextSpan span, string? body, IReadOnlyList<string> uploads)
    {
        if (!NetworkAddresses.TryParseUrl(url, out var uri))
        {
            uri = null;
        }

        context.Add(new HttpRequestOperation(method, url)
        {
            Source = context.Source,
            Span = span,
            Via = context.Via,
            Host = uri?.Host,
            Port = uri is { Port: > 0 } ? uri.Port : null,
            PathAndQuery = uri?.PathAndQuery,
            Body = body,
            UploadedFiles = uploads,
        });
        SendsData(context, uri, span, body);
        return uri;
    }

    /// <summary>
    /// Data the command sends with a request leaves the host: a request body (<c>-d</c>, <c>--data-*</c>, <c>--json</c>,
    /// <c>-F</c> fields, <c>--post-data</c>) or the path of a raw-stream URL (<c>gopher://host/_DATA</c>, <c>dict://</c>,
    /// <c>telnet://</c>). Recorded as an upload to that host (files sent are judged on the request itself); requests to
    /// this host are not, and neither is a literal prompt posted to a model inference API (judged by replica.instruct).
    /// </summary>
    private static void SendsData(in ProgramContext context, Uri? uri, TextSpan span, string? body)
    {
        if (uri is null || Classification.Classifier.IsLoopback(uri.Host))
        {
            return;
        }

        var prompt = body is not null && !body.Contains("$(", StringComparison.Ordinal) && !body.Contains('`', StringComparison.Ordinal)
            && Classification.Classifier.IsModelApiPath(uri.AbsolutePath);
        var rawStream = uri.Scheme is "gopher" or "gophers" or "dict" or "telnet" && uri.AbsolutePath.Length > 1;
        if ((body is not null && !prompt) || rawStream)
        {
            context.Transfer(TransferDirection.Upload, span, uri.Host, uri.Port > 0 ? uri.Port : null);
        }
    }

    private static void Wget(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_wget);
        context.Launch(detachedBy: parsed.Has("b") ? "wget -b" : null);
        var uploads = new List<string>();
        string? body = null;
        var evidence = default(TextSpan);
        var hasEvidence = false;
        var stdinFile = context.Invocation.StdinFile;
        foreach (var option in parsed.Options)
        {
            if (option.Value is not { } value)
            {
                continue;
            }

            switch (option.Name)
            {
                case "post-file" or "body-file":
                    AddUpload(context, uploads, value, stdinFile);
                    break;
                case "post-data" or "body-data":
                    body = body is null ? value : body + "&" + value;
                    break;
                default:
                    continue;
            }

            var span = context.SpanOf(option);
            evidence = hasEvidence ? TextSpan.Union(evidence, span) : span;
            hasEvidence = true;
        }

        var method = parsed.Value("method")?.ToUpperInvariant()
            ?? (parsed.Has("post-data") || parsed.Has("post-file") ? "POST" : "GET");
        var output = parsed.Last("O");
        var spider = parsed.Has("spider");
        var directory = parsed.Value("P");
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            var index = parsed.Operands[k];
            var span = hasEvidence ? TextSpan.Union(context.SpanAt(index), evidence) : context.SpanAt(index);
            var uri = Request(context, method, context[index], span, body, uploads);
            if (output is null && !spider && uri is not null)
            {
                var name = NetworkAddresses.RemoteFileName(uri) ?? "index.html";
                context.File(FileAction.Write, context.Path(directory is null ? name : directory + "/" + name), context.SpanAt(index), recursive: parsed.Has("r") || parsed.Has("m"));
            }
        }

        if (output is { Value: { } file } && file != "-" && parsed.OperandCount > 0)
        {
            context.File(FileAction.Write, context.Path(file), context.SpanOf(output.Value));
        }
    }

    private static void Netcat(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_nc);
        var listen = parsed.Has("l");
        var count = parsed.OperandCount;
        string? host = null;
        int? port = null;
        var span = context.Whole;
        if (listen)
        {
            var portOption = parsed.Last("p");
            port = NetworkAddresses.ParsePort(portOption?.Value);
            if (port is null && count > 0)
            {
                port = NetworkAddresses.ParsePort(parsed.Operand(count - 1));
                host = count > 1 ? parsed.Operand(0) : null;
                span = context.OperandSpan(parsed, 0, count);
            }
            else if (portOption is { } p)
            {
                span = context.SpanOf(p);
                host = count > 0 ? parsed.Operand(0) : null;
            }

            context.Listen(span, port, host);
            var served = context.Invocation.StdinFile;
            if (served is not null || context.Invocation.StdinFromPipe)
            {
                // A listener fed from a file or pipe serves that data to whoever connects.
                context.Transfer(TransferDirection.Upload, span, null, port, served is null ? [] : [served]);
            }
        }
        else if (count > 0)
        {
            host = parsed.Operand(0);
            port = count > 1 ? NetworkAddresses.ParsePort(parsed.Operand(1)) : null;
            span = context.OperandSpan(parsed, 0, Math.Min(count, 2));
        }

        var exec = parsed.Last("e") ?? parsed.Last("c") ?? parsed.Last("lua-exec");
        if (exec is { Value: { } command } execOption)
        {
            var execSpan = context.SpanOf(execOption);
            context.Remote("nc -e", host ?? "*", command, execSpan);
            if (!string.Equals(execOption.Name, "lua-exec", StringComparison.Ordinal))
            {
                context.Shell(command, execSpan, context.Name + " -e");
            }

            return;
        }

        if (listen || host is null || parsed.Has("z"))
        {
            return;
        }

        var stdinFile = context.Invocation.StdinFile;
        var sends = stdinFile is not null || context.Invocation.StdinFromPipe || context.Invocation.StdinText is not null || !context.Invocation.TypeAhead.IsEmpty;
        context.Transfer(sends ? TransferDirection.Upload : TransferDirection.Unknown, span, host, port, stdinFile is null ? [] : [stdinFile]);
    }

    private static void Socat(in ProgramContext context)
    {
        var unidirectional = 0;
        var addresses = new List<int>(2);
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (addresses.Count < 2 && arg.Length > 1 && arg[0] == '-')
            {
                if (arg is "-lf" or "-lp" or "-L" or "-W" || (arg.Length == 2 && "btTSrR".Contains(arg[1], StringComparison.Ordinal)))
                {
                    i++;
                }
                else if (arg == "-u")
                {
                    unidirectional = 1;
                }
                else if (arg == "-U")
                {
                    unidirectional = -1;
                }

                continue;
            }

            addresses.Add(i);
        }

        if (addresses.Count < 2)
        {
            return;
        }

        var first = SocatAddress.Parse(context[addresses[0]]);
        var second = SocatAddress.Parse(context[addresses[1]]);
        string? networkHost = null;
        int? networkPort = null;
        var networkIndex = -1;
        for (var k = 0; k < 2; k++)
        {
            var address = k == 0 ? first : second;
            var index = addresses[k];
            if (address.Kind == SocatKind.Listen)
            {
                context.Listen(context.SpanAt(index), NetworkAddresses.ParsePort(address.Target), program: "socat");
                networkHost ??= "*";
                networkPort ??= NetworkAddresses.ParsePort(address.Target);
                networkIndex = index;
            }
            else if (address.Kind == SocatKind.Connect)
            {
                NetworkAddresses.ParseAuthority(address.Target, out var host, out var port);
                networkHost = host;
                networkPort = port;
                networkIndex = index;
            }
        }

        for (var k = 0; k < 2; k++)
        {
            var address = k == 0 ? first : second;
            var index = addresses[k];
            switch (address.Kind)
            {
                case SocatKind.Exec:
                    context.Remote("socat exec", networkHost ?? "*", address.Target, context.SpanAt(index));
                    context.Shell(address.Target, context.SpanAt(index), "socat " + address.Type);
                    break;
                case SocatKind.File when networkIndex >= 0:
                    var direction = unidirectional == 0 ? TransferDirection.Unknown
                        : (k == 0) == (unidirectional > 0) ? TransferDirection.Upload : TransferDirection.Download;
                    context.Transfer(direction, context.SpanOf(addresses[0], addresses[1]), networkHost == "*" ? null : networkHost, networkPort, [context.Path(address.Target)], context[networkIndex]);
                    break;
                case SocatKind.Stdio when networkIndex >= 0:
                    var stdinFile = context.Invocation.StdinFile;
                    var sends = stdinFile is not null || context.Invocation.StdinFromPipe;
                    if (sends || networkHost != "*")
                    {
                        context.Transfer(sends ? TransferDirection.Upload : TransferDirection.Unknown, context.SpanOf(addresses[0], addresses[1]), networkHost == "*" ? null : networkHost, networkPort, stdinFile is null ? [] : [stdinFile], context[networkIndex]);
                    }

                    break;
            }
        }
    }

    private static void Ssh(in ProgramContext context)
    {
        var spec = string.Equals(context.Name, "autossh", StringComparison.Ordinal) ? s_autossh : s_ssh;
        var parsed = OptionParser.Parse(context.Args, spec);
        var hostIndex = parsed.RestIndex;
        var commandIndex = -1;
        if (hostIndex >= 0 && hostIndex < context.Count)
        {
            // OpenSSH reads options after the destination too, up to the first word of the command.
            var after = OptionParser.Parse(context.Args, spec, hostIndex + 1);
            parsed.Options.AddRange(after.Options);
            commandIndex = after.RestIndex >= 0 && after.RestIndex < context.Count ? after.RestIndex : -1;
        }

        context.Launch(detachedBy: parsed.Has("f") ? context.Name + " -f" : null);
        if (hostIndex < 0 || hostIndex >= context.Count)
        {
            return;
        }

        var destination = context[hostIndex];
        string host;
        int? port;
        if (destination.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase))
        {
            var authority = destination.AsSpan(6);
            var slash = authority.IndexOf('/');
            NetworkAddresses.ParseAuthority(slash < 0 ? authority : authority[..slash], out host, out port);
        }
        else
        {
            NetworkAddresses.ParseAuthority(destination, out host, out _);
            port = null;
        }

        port = NetworkAddresses.ParsePort(parsed.Value("p")) ?? port;
        string? command = null;
        var commandSpan = context.SpanAt(hostIndex);
        foreach (var option in parsed.Options)
        {
            var value = option.Value;
            if (value is null)
            {
                continue;
            }

            switch (option.Name)
            {
                case "o":
                    if (SshConfigValue(value, "ProxyCommand") is { Length: > 0 } proxy && !proxy.Equals("none", StringComparison.OrdinalIgnoreCase))
                    {
                        // ssh runs the ProxyCommand as `exec COMMAND` in the user's shell.
                        context.Shell("exec " + proxy, context.SpanOf(option), "ssh ProxyCommand");
                    }
                    else if (SshConfigValue(value, "LocalCommand") is { Length: > 0 } local)
                    {
                        context.Shell(local, context.SpanOf(option), "ssh LocalCommand");
                    }
                    else if (SshConfigValue(value, "RemoteCommand") is { Length: > 0 } remote)
                    {
                        command = remote;
                        commandSpan = context.SpanOf(option);
                    }
                    else if (SshConfigValue(value, "Port") is { } portText)
                    {
                        port ??= NetworkAddresses.ParsePort(portText);
                    }

                    break;
                case "L" or "D":
                    var fields = value.Split(':');
                    var portField = option.Name == "D" ? fields[^1] : fields.Length >= 4 ? fields[1] : fields[0];
                    var bind = option.Name == "D" ? (fields.Length > 1 ? fields[0] : null) : (fields.Length >= 4 ? fields[0] : null);
                    context.Listen(context.SpanOf(option), NetworkAddresses.ParsePort(portField), bind, "ssh");
                    break;
            }
        }

        if (commandIndex >= 0)
        {
            command = context.Join(commandIndex);
            commandSpan = context.SpanOf(commandIndex, context.Count - 1);
        }

        context.Remote("ssh", host, command, command is null ? context.SpanAt(hostIndex) : commandSpan);
        if (command is not null)
        {
            context.Shell(command, commandSpan, "ssh " + host);
        }
        else if (context.Invocation.StdinText is { } script && !parsed.Has("N"))
        {
            context.Shell(script, context.Whole, "ssh " + host);
        }

        var stdinFile = context.Invocation.StdinFile;
        if (stdinFile is not null || context.Invocation.StdinFromPipe)
        {
            context.Transfer(TransferDirection.Upload, context.Whole, host, port, stdinFile is null ? [] : [stdinFile], program: "ssh");
        }
    }

    private static void Git(in ProgramContext context)
    {
        var global = OptionParser.Parse(context.Args, s_gitGlobal);
        string? workingDirectory = null;
        foreach (var option in global.Options)
        {
            if (option.Value is not { } value)
            {
                continue;
            }

            if (option.Name == "C")
            {
                workingDirectory = workingDirectory is null || FileTools.IsRooted(value) ? context.Path(value) : context.Path(workingDirectory + "/" + value);
            }
            else if (option.Name == "c")
            {
                var eq = value.IndexOf('=', StringComparison.Ordinal);
                var key = eq < 0 ? value : value[..eq];
                if (eq > 0 && (key.Equals("core.sshCommand", StringComparison.OrdinalIgnoreCase) || key.Equals("core.fsmonitor", StringComparison.OrdinalIgnoreCase)
                    || key.Equals("core.pager", StringComparison.OrdinalIgnoreCase) || key.Equals("core.editor", StringComparison.OrdinalIgnoreCase)))
                {
                    context.Shell(value[(eq + 1)..], context.SpanOf(option), "git -c " + key);
                }
            }
        }

        var subcommand = global.RestIndex;
        if (subcommand < 0 || subcommand >= context.Count)
        {
            return;
        }

        var localRepository = workingDirectory ?? context.Invocation.WorkingDirectory ?? context.Path(".");
        switch (context[subcommand])
        {
            case "push":
                GitPush(context, subcommand + 1, localRepository);
                break;
            case "lfs" when subcommand + 1 < context.Count && context[subcommand + 1] == "push":
                GitPush(context, subcommand + 2, localRepository);
                break;
            case "clone":
                var parsed = OptionParser.Parse(context.Args, s_gitClone, subcommand + 1);
                if (parsed.Last("u") is { Value: { } uploadPack } uploadOption)
                {
                    context.Shell(uploadPack, context.SpanOf(uploadOption), "git clone --upload-pack");
                }

                if (parsed.OperandCount == 0)
                {
                    return;
                }

                var url = parsed.Operand(0);
                var directory = parsed.OperandCount > 1 ? parsed.Operand(1) : RepositoryName(url);
                var basePath = workingDirectory is null || FileTools.IsRooted(directory) ? directory : workingDirectory + "/" + directory;
                var known = NetworkAddresses.TryParseGitRemote(url, out var host, out var port);
                context.Transfer(TransferDirection.Download, context.OperandSpan(parsed, 0, parsed.OperandCount), known ? host : null, port, [context.Path(basePath)], url, "git");
                break;
            case "checkout" or "restore" or "rm" or "mv":
                GitWorkingTree(context, subcommand, workingDirectory);
                break;
        }
    }

    // git checkout -- PATHS and git restore PATHS overwrite files, git rm deletes them, git mv moves them.
    private static void GitWorkingTree(in ProgramContext context, int subcommand, string? workingDirectory)
    {
        var verb = context[subcommand];
        var paths = new List<int>();
        var afterDashes = false;
        for (var i = subcommand + 1; i < context.Count; i++)
        {
            var arg = context[i];
            if (!afterDashes && arg == "--")
            {
                afterDashes = true;
                continue;
            }

            if (!afterDashes && arg.StartsWith('-'))
            {
                i += arg is "-s" or "--source" && verb == "restore" ? 1 : 0;
                continue;
            }

            // Before "--", checkout's operands are branches or commits.
            if (afterDashes || verb != "checkout")
            {
                paths.Add(i);
            }
        }

        var resolved = new string[paths.Count];
        for (var k = 0; k < paths.Count; k++)
        {
            var path = context[paths[k]];
            resolved[k] = context.Path(workingDirectory is null || FileTools.IsRooted(path) ? path : workingDirectory + "/" + path);
        }

        if (verb == "mv")
        {
            if (paths.Count >= 2)
            {
                context.File(FileAction.Move, resolved[^1], context.SpanOf(paths[0], paths[^1]), resolved[..^1]);
            }

            return;
        }

        for (var k = 0; k < paths.Count; k++)
        {
            context.File(verb == "rm" ? FileAction.Delete : FileAction.Write, resolved[k], context.SpanAt(paths[k]));
        }
    }

    private static void GitPush(in ProgramContext context, int start, string localRepository)
    {
        var parsed = OptionParser.Parse(context.Args, s_gitPush, start);
        if (parsed.Last("receive-pack") is { Value: { } receivePack } receiveOption)
        {
            context.Shell(receivePack, context.SpanOf(receiveOption), "git push --receive-pack");
        }

        var repoOption = parsed.Last("repo");
        var remote = repoOption?.Value ?? (parsed.OperandCount > 0 ? parsed.Operand(0) : null);
        string? host = null;
        int? port = null;
        if (remote is not null && NetworkAddresses.TryParseGitRemote(remote, out var parsedHost, out var parsedPort))
        {
            host = parsedHost;
            port = parsedPort;
        }

        var span = repoOption is { } r ? context.SpanOf(r) : parsed.OperandCount > 0 ? context.OperandSpan(parsed, 0, parsed.OperandCount) : context.Whole;
        context.Transfer(TransferDirection.Upload, span, host, port, [localRepository], remote, "git");
    }

    private static string RepositoryName(string url)
    {
        var trimmed = url.AsSpan().TrimEnd('/');
        if (trimmed.EndsWith("/.git", StringComparison.Ordinal))
        {
            trimmed = trimmed[..^5];
        }

        var slash = trimmed.LastIndexOfAny('/', ':');
        var name = slash >= 0 ? trimmed[(slash + 1)..] : trimmed;
        if (name.EndsWith(".git", StringComparison.Ordinal))
        {
            name = name[..^4];
        }

        return name.Length == 0 ? "." : name.ToString();
    }

    private static void HuggingFace(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_huggingFace);
        if (parsed.OperandCount < 2)
        {
            return;
        }

        var command = parsed.Operand(0);
        var repository = parsed.Operand(1);
        switch (command)
        {
            case "upload" or "upload-large-folder":
                var local = parsed.OperandCount > 2 ? parsed.Operand(2) : ".";
                context.Transfer(TransferDirection.Upload, context.OperandSpan(parsed, 1, Math.Min(parsed.OperandCount, 3)), "huggingface.co", 443, [context.Path(local)], repository);
                break;
            case "download":
                var target = parsed.Value("local-dir") ?? parsed.Value("cache-dir") ?? "~/.cache/huggingface/hub";
                context.Transfer(TransferDirection.Download, context.OperandSpan(parsed, 1, parsed.OperandCount), "huggingface.co", 443, [context.Path(target)], repository);
                break;
            case "jobs" when repository is "run" or "uv":
                var image = parsed.OperandCount > 2 ? parsed.Operand(2) : parsed.Value("image");
                context.Provision("huggingface", "jobs " + repository, image, context.OperandSpan(parsed, 0, parsed.OperandCount));
                break;
        }
    }

    private enum SocatKind
    {
        Other,
        Listen,
        Connect,
        File,
        Exec,
        Stdio,
    }

    /// <summary>One socat address: its type, what it designates (port, host:port, path or command) and its kind.</summary>
    private readonly record struct SocatAddress(string Type, string Target, SocatKind Kind)
    {
        public static SocatAddress Parse(string address)
        {
            if (address is "-" or "STDIO" or "STDIN" or "STDOUT" or "stdio" or "stdin" or "stdout")
            {
                return new SocatAddress("STDIO", string.Empty, SocatKind.Stdio);
            }

            var colon = address.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                var bare = Head(address);
                return bare.Contains('/', StringComparison.Ordinal)
                    ? new SocatAddress("GOPEN", bare, SocatKind.File)
                    : new SocatAddress(address.ToUpperInvariant(), string.Empty, SocatKind.Other);
            }

            var type = address[..colon].ToUpperInvariant();
            var rest = address[(colon + 1)..];
            switch (type)
            {
                case "TCP-LISTEN" or "TCP4-LISTEN" or "TCP6-LISTEN" or "TCP-L" or "TCP4-L" or "TCP6-L" or "UDP-LISTEN" or "UDP4-LISTEN" or "UDP6-LISTEN" or "UDP-L"
                    or "OPENSSL-LISTEN" or "SSL-L" or "OPENSSL-L" or "SCTP-LISTEN" or "SCTP-L" or "DTLS-LISTEN" or "UDP-RECVFROM" or "UDP-RECV":
                    return new SocatAddress(type, Head(rest), SocatKind.Listen);
                case "TCP" or "TCP4" or "TCP6" or "TCP-CONNECT" or "TCP4-CONNECT" or "TCP6-CONNECT" or "UDP" or "UDP4" or "UDP6" or "UDP-CONNECT" or "UDP-SENDTO"
                    or "OPENSSL" or "SSL" or "OPENSSL-CONNECT" or "SCTP-CONNECT" or "DTLS" or "DTLS-CONNECT":
                    return new SocatAddress(type, Head(rest), SocatKind.Connect);
                case "SOCKS4" or "SOCKS4A" or "SOCKS5" or "PROXY" or "PROXY-CONNECT" or "SOCKS5-CONNECT":
                    var target = Head(rest);
                    var first = target.IndexOf(':', StringComparison.Ordinal);
                    return new SocatAddress(type, first >= 0 ? target[(first + 1)..] : target, SocatKind.Connect);
                case "FILE" or "OPEN" or "GOPEN" or "CREATE" or "CREAT" or "PIPE":
                    return new SocatAddress(type, Head(rest), SocatKind.File);
                case "EXEC" or "SYSTEM" or "SHELL":
                    return new SocatAddress(type, Head(rest), SocatKind.Exec);
                default:
                    return new SocatAddress(type, Head(rest), SocatKind.Other);
            }
        }

        private static string Head(string text)
        {
            var comma = text.IndexOf(',', StringComparison.Ordinal);
            return comma < 0 ? text : text[..comma];
        }
    }
}
