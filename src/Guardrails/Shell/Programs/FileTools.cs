using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>File tools: copy, move, link, archive, write, delete, permission and read semantics.</summary>
internal static class FileTools
{
    private static readonly OptionSpec s_cp = new(
        shortValues: "tS",
        longValues: ["target-directory", "suffix", "sparse", "no-preserve"],
        longOptional: ["backup", "reflink", "preserve", "context", "update"],
        longFlags: ["recursive", "archive", "force", "interactive", "no-clobber", "link", "symbolic-link", "verbose", "parents", "no-target-directory", "dereference", "no-dereference", "one-file-system", "strip-trailing-slashes", "attributes-only", "remove-destination", "copy-contents", "debug", "keep-directory-symlink"],
        aliases: ["R=r", "recursive=r", "archive=a", "target-directory=t", "no-target-directory=T", "suffix=S"],
        abbreviations: true);

    private static readonly OptionSpec s_mv = new(
        shortValues: "tS",
        longValues: ["target-directory", "suffix"],
        longOptional: ["backup", "context", "update"],
        longFlags: ["force", "interactive", "no-clobber", "verbose", "no-target-directory", "strip-trailing-slashes", "exchange", "no-copy", "debug"],
        aliases: ["target-directory=t", "no-target-directory=T", "suffix=S"],
        abbreviations: true);

    private static readonly OptionSpec s_install = new(
        shortValues: "tgmoS",
        longValues: ["target-directory", "group", "mode", "owner", "suffix", "strip-program"],
        longOptional: ["backup", "context"],
        longFlags: ["directory", "compare", "preserve-timestamps", "strip", "verbose", "no-target-directory", "debug", "preserve-context"],
        aliases: ["target-directory=t", "directory=d", "no-target-directory=T"],
        abbreviations: true);

    private static readonly OptionSpec s_ln = new(
        shortValues: "tS",
        longValues: ["target-directory", "suffix"],
        longOptional: ["backup"],
        longFlags: ["symbolic", "force", "interactive", "logical", "no-dereference", "physical", "relative", "verbose", "no-target-directory", "directory"],
        aliases: ["symbolic=s", "target-directory=t", "no-target-directory=T", "relative=r"],
        abbreviations: true);

    private static readonly OptionSpec s_tar = new(
        shortValues: "fCbTXgKLNVHIF",
        longValues: ["file", "directory", "files-from", "exclude-from", "exclude", "use-compress-program", "format", "label", "transform", "xform", "owner", "group", "mode", "mtime", "newer", "newer-mtime", "after-date", "listed-incremental", "blocking-factor", "record-size", "tape-length", "info-script", "new-volume-script", "starting-file", "suffix", "index-file", "checkpoint-action", "to-command", "rsh-command", "rmt-command", "strip-components", "volno-file", "warning", "sort", "quoting-style", "hole-detection", "exclude-tag", "exclude-tag-all", "exclude-tag-under", "exclude-ignore", "exclude-ignore-recursive", "pax-option", "level", "xattrs-include", "xattrs-exclude", "owner-map", "group-map", "zstd-level"],
        longOptional: ["backup", "checkpoint", "occurrence", "atime-preserve", "sparse-version", "one-top-level"],
        longFlags: ["create", "extract", "get", "list", "append", "update", "concatenate", "catenate", "diff", "compare", "delete", "gzip", "gunzip", "bzip2", "xz", "lzma", "zstd", "lzip", "lzop", "compress", "auto-compress", "verbose", "force-local", "absolute-names", "to-stdout", "keep-old-files", "overwrite", "recursion", "no-recursion", "dereference", "preserve-permissions", "same-permissions", "totals", "sparse", "verify", "remove-files", "ignore-zeros", "wildcards", "no-wildcards", "anchored", "null", "numeric-owner", "one-file-system", "xattrs", "acls", "selinux"],
        aliases: ["file=f", "directory=C", "create=c", "extract=x", "get=x", "list=t", "append=r", "update=u", "concatenate=A", "catenate=A", "diff=d", "compare=d", "files-from=T", "use-compress-program=I", "info-script=F", "new-volume-script=F", "to-stdout=O"],
        abbreviations: true);

    private static readonly OptionSpec s_tee = new(longOptional: ["output-error"], longFlags: ["append", "ignore-interrupts"], aliases: ["append=a"], abbreviations: true);

    private static readonly OptionSpec s_truncate = new(shortValues: "sr", longValues: ["size", "reference"], longFlags: ["no-create", "io-blocks"], aliases: ["size=s", "reference=r"], abbreviations: true);

    private static readonly OptionSpec s_rm = new(
        longOptional: ["interactive", "preserve-root"],
        longFlags: ["recursive", "force", "dir", "one-file-system", "no-preserve-root", "verbose"],
        aliases: ["R=r", "recursive=r", "force=f"],
        abbreviations: true);

    private static readonly OptionSpec s_shred = new(shortValues: "ns", longValues: ["iterations", "size", "random-source"], longOptional: ["remove"], longFlags: ["exact", "force", "verbose", "zero"], abbreviations: true);

    private static readonly OptionSpec s_chown = new(
        longValues: ["reference", "from"],
        longFlags: ["recursive", "changes", "silent", "quiet", "verbose", "dereference", "no-dereference", "preserve-root", "no-preserve-root"],
        aliases: ["recursive=R"],
        abbreviations: true);

    private static readonly OptionSpec s_setfacl = new(
        shortValues: "mMxX",
        longValues: ["modify", "modify-file", "remove", "remove-file", "set", "set-file", "restore"],
        longFlags: ["remove-all", "remove-default", "no-mask", "mask", "default", "recursive", "logical", "physical", "test"],
        aliases: ["recursive=R"],
        abbreviations: true);

    private static readonly OptionSpec s_sed = new(
        shortValues: "efl",
        shortOptional: "i",
        longValues: ["expression", "file", "line-length"],
        longOptional: ["in-place"],
        longFlags: ["quiet", "silent", "debug", "posix", "regexp-extended", "separate", "sandbox", "unbuffered", "null-data", "follow-symlinks", "zero-terminated"],
        aliases: ["expression=e", "file=f", "in-place=i"],
        abbreviations: true);

    private static readonly OptionSpec s_touch = new(shortValues: "dtr", longValues: ["date", "reference", "time"], longFlags: ["no-create", "no-dereference"], abbreviations: true);

    private static readonly OptionSpec s_unzip = new(shortValues: "dPxI", longFlags: []);

    private static readonly OptionSpec s_split = new(
        shortValues: "abClnt",
        longValues: ["suffix-length", "bytes", "line-bytes", "lines", "number", "separator", "additional-suffix", "filter", "numeric-suffixes", "hex-suffixes"],
        longFlags: ["elide-empty-files", "unbuffered", "verbose"],
        abbreviations: true);

    private static readonly OptionSpec s_compressor = new(
        shortValues: "oSpbM",
        longValues: ["suffix", "processes", "memlimit", "output"],
        longFlags: ["stdout", "to-stdout", "decompress", "uncompress", "keep", "force", "test", "list", "rm"],
        aliases: ["stdout=c", "to-stdout=c", "decompress=d", "uncompress=d", "keep=k", "test=t", "list=l", "output=o"]);

    private static readonly OptionSpec s_sevenZip = new();

    // Editors: vi-family -c/-S/-u…, nano -Y/-T/-o/-C, emacs -l/--eval take a value (-s is ed's and ex's silent flag); the rest are the files opened.
    private static readonly OptionSpec s_editor = new(shortValues: "cSuUiTtwWqYoCl", longValues: ["cmd", "eval", "load", "funcall", "script", "syntax", "tabsize", "operatingdir", "backupdir", "config-dir"]);

    private static readonly OptionSpec s_mount = new(
        shortValues: "toLUONT",
        longValues: ["types", "options", "label", "uuid", "test-opts", "namespace", "fstab", "source", "target", "make-shared", "make-slave", "make-private", "make-unbindable"],
        longFlags: ["bind", "rbind", "move", "all", "fake", "fork", "internal-only", "no-mtab", "read-only", "read-write", "rw", "verbose", "no-canonicalize"],
        aliases: ["types=t", "options=o", "label=L", "uuid=U"]);

    private static readonly ReadToolSpec[] s_readTools =
    [
        new(new OptionSpec(), "cat", "tac", "more"),
        new(new OptionSpec(shortValues: "bdfhilnsvw", longValues: ["body-numbering", "section-delimiter", "footer-numbering", "header-numbering", "line-increment", "join-blank-lines", "number-format", "number-separator", "starting-line-number", "number-width"]), "nl"),
        new(new OptionSpec(shortValues: "cn", longValues: ["bytes", "lines"]), "head"),
        new(new OptionSpec(shortValues: "cns", longValues: ["bytes", "lines", "sleep-interval", "pid", "max-unchanged-stats"], longOptional: ["follow"]), "tail"),
        new(new OptionSpec(shortValues: "bhjpPtTxyzoOkD", longValues: ["buffers", "max-back-scroll", "jump-target", "pattern", "prompt", "tag", "tag-file", "tabs", "max-forw-scroll", "window", "log-file", "LOG-FILE", "lesskey-file"]), "less", "most"),
        new(new OptionSpec(shortValues: "cglson", singleDashLong: false), "xxd"),
        new(new OptionSpec(shortValues: "AjNStw", longValues: ["address-radix", "skip-bytes", "read-bytes", "strings", "format", "width"]), "od"),
        new(new OptionSpec(shortValues: "efns", longValues: ["format", "format-file", "length", "skip"]), "hexdump", "hd"),
        new(new OptionSpec(shortValues: "ntTe", longValues: ["bytes", "radix", "target", "encoding"]), "strings"),
        new(new OptionSpec(shortValues: "w", longValues: ["wrap"]), "base64", "base32", "basenc"),
        new(new OptionSpec(shortValues: "la", longValues: ["length", "algorithm"]), "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "shasum"),
        new(new OptionSpec(shortValues: "LsNiBwHDdRP", longValues: ["rate-limit", "size", "name", "interval", "buffer-size", "width", "height", "delay-start", "watchfd", "remote", "pidfile"]), "pv"),
    ];

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Copy, "cp", "gcp");
        table.Add(Move, "mv", "gmv");
        table.Add(Install, "install", "ginstall");
        table.Add(Ln, "ln", "gln");
        table.Add(Link, "link");
        table.Add(Dd, "dd");
        table.Add(Tar, "tar", "gtar", "bsdtar");
        table.Add(Zip, "zip");
        table.Add(SevenZip, "7z", "7za", "7zr", "7zz");
        table.Add(Unzip, "unzip");
        table.Add(Tee, "tee");
        table.Add(Truncate, "truncate");
        table.Add(Remove, "rm", "grm");
        table.Add(Unlink, "unlink");
        table.Add(Shred, "shred");
        table.Add(Rmdir, "rmdir");
        table.Add(Chmod, "chmod");
        table.Add(Chown, "chown", "chgrp");
        table.Add(Chattr, "chattr");
        table.Add(Setfacl, "setfacl");
        table.Add(Mkdir, "mkdir", "gmkdir");
        table.Add(Sed, "sed", "gsed");
        table.Add(Touch, "touch");
        table.Add(Split, "split");
        table.Add(Editor, "vi", "vim", "nvim", "gvim", "ex", "ed", "red", "nano", "pico", "emacs", "emacsclient", "micro", "joe", "jed", "mcedit", "kak", "hx", "helix", "vis", "ne", "mg");
        table.Add(Mount, "mount");
        table.Add(Umount, "umount");
        table.Add(Compress, "gzip", "pigz", "bzip2", "pbzip2", "xz", "lzma", "zstd", "lz4", "brotli", "gunzip", "unxz", "unzstd", "bunzip2", "zcat", "xzcat", "zstdcat", "bzcat", "lz4cat");
        foreach (var tool in s_readTools)
        {
            var spec = tool.Spec;
            table.Add((in ProgramContext context) => ReadOperands(context, spec), tool.Names);
        }
    }

    private static void Copy(in ProgramContext context) => CopyLike(context, FileAction.Copy, s_cp);

    private static void Move(in ProgramContext context) => CopyLike(context, FileAction.Move, s_mv);

    private static void Install(in ProgramContext context) => CopyLike(context, FileAction.Copy, s_install);

    private static void CopyLike(in ProgramContext context, FileAction action, OptionSpec spec)
    {
        var parsed = OptionParser.Parse(context.Args, spec);
        if (ReferenceEquals(spec, s_install) && parsed.Has("d"))
        {
            return;
        }

        var recursive = action == FileAction.Copy && parsed.Has("r", "a");
        var target = parsed.Last("t");
        var count = parsed.OperandCount;
        if (target is { Value: { } directory })
        {
            context.File(action, context.Path(directory), context.OperandSpan(parsed, 0, count, target.Value.ValueIndex), context.Paths(parsed, 0, count), recursive);
            return;
        }

        if (count < 2)
        {
            return;
        }

        context.File(action, context.Path(parsed.Operand(count - 1)), context.OperandSpan(parsed, 0, count), context.Paths(parsed, 0, count - 1), recursive);
    }

    private static void Ln(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_ln);
        var count = parsed.OperandCount;
        var symbolic = parsed.Has("s") && !parsed.Has("r");
        var target = parsed.Last("t");
        string destination;
        string? linkDirectory;
        int targetCount;
        TextSpan span;
        if (target is { Value: { } directory })
        {
            destination = context.Path(directory);
            linkDirectory = destination;
            targetCount = count;
            span = context.OperandSpan(parsed, 0, count, target.Value.ValueIndex);
        }
        else if (count == 1)
        {
            var name = System.IO.Path.GetFileName(parsed.Operand(0).TrimEnd('/'));
            destination = context.Path(name.Length == 0 ? parsed.Operand(0) : name);
            linkDirectory = null;
            targetCount = 1;
            span = context.OperandSpan(parsed, 0, 1);
        }
        else if (count >= 2)
        {
            destination = context.Path(parsed.Operand(count - 1));
            linkDirectory = count > 2 || parsed.Operand(count - 1).EndsWith('/') ? destination : ParentOf(destination);
            targetCount = count - 1;
            span = context.OperandSpan(parsed, 0, count);
        }
        else
        {
            return;
        }

        var sources = new string[targetCount];
        for (var k = 0; k < targetCount; k++)
        {
            var written = parsed.Operand(k);
            sources[k] = symbolic && linkDirectory is not null && !IsRooted(written)
                ? context.Path(linkDirectory + "/" + written)
                : context.Path(written);
        }

        context.File(FileAction.Link, destination, span, sources);
    }

    private static void Link(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, new OptionSpec());
        if (parsed.OperandCount == 2)
        {
            context.File(FileAction.Link, context.Path(parsed.Operand(1)), context.OperandSpan(parsed, 0, 2), [context.Path(parsed.Operand(0))]);
        }
    }

    private static void Dd(in ProgramContext context)
    {
        int input = -1, output = -1;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg.StartsWith("if=", StringComparison.Ordinal))
            {
                input = i;
            }
            else if (arg.StartsWith("of=", StringComparison.Ordinal))
            {
                output = i;
            }
        }

        var inputPath = input >= 0 ? context.Path(context[input][3..]) : context.Invocation.StdinFile;
        if (output >= 0)
        {
            var span = input >= 0 ? context.SpanOf(Math.Min(input, output), Math.Max(input, output)) : context.SpanAt(output);
            var destination = context.Path(context[output][3..]);
            if (inputPath is not null)
            {
                context.File(FileAction.Copy, destination, span, [inputPath]);
            }
            else
            {
                context.File(FileAction.Write, destination, span);
            }
        }
        else if (input >= 0)
        {
            context.File(FileAction.Read, inputPath!, context.SpanAt(input));
        }
    }

    private static void Tar(in ProgramContext context)
    {
        var parsed = new ParsedArguments(context.Args);
        var start = 0;
        if (context.Count > 0 && context[0].Length > 0 && context[0][0] != '-' && IsOldStyleBundle(context[0]))
        {
            // Old-style bundled options: `tar czf out.tgz dir` — value letters take the following words in order.
            var next = 1;
            foreach (var c in context[0])
            {
                var name = s_tar.ShortName(c);
                if (s_tar.ShortArity(c) == OptionArity.Required && next < context.Count)
                {
                    parsed.Options.Add(new ParsedOption(name, context[next], 0, next));
                    next++;
                }
                else
                {
                    parsed.Options.Add(new ParsedOption(name, null, 0, -1));
                }
            }

            start = next;
        }

        OptionParser.ParseInto(parsed, s_tar, start);
        RunTarCommands(context, parsed);

        var archiveOption = parsed.Last("f");
        var archiveWritten = archiveOption?.Value;
        var forceLocal = parsed.Has("force-local");
        var remoteArchive = archiveWritten is not null && !forceLocal && NetworkAddresses.TryParseRemotePath(archiveWritten, out _, out _);
        var archive = archiveWritten is null or "-" ? "/dev/stdout"
            : remoteArchive ? archiveWritten : context.Path(archiveWritten);
        var archiveSpan = archiveOption is { } a ? context.SpanOf(a) : context.Whole;

        if (parsed.Has("c") || parsed.Has("r") || parsed.Has("u") || parsed.Has("A"))
        {
            var members = TarMembers(context, parsed);
            var span = context.OperandSpan(parsed, 0, parsed.OperandCount, archiveOption?.ValueIndex ?? -1);
            context.File(FileAction.Copy, archive, span, members, recursive: !parsed.Has("no-recursion"), archive: true);
            if (remoteArchive && NetworkAddresses.TryParseRemotePath(archiveWritten!, out var host, out var port))
            {
                context.Transfer(TransferDirection.Upload, span, host, port, members, archiveWritten);
            }

            return;
        }

        if (parsed.Has("x"))
        {
            var directory = TarDirectoryAt(context, parsed, int.MaxValue) ?? context.Path(".");
            var span = parsed.Last("C") is { } c ? TextSpan.Union(archiveSpan, context.SpanOf(c)) : archiveSpan;
            if (remoteArchive && NetworkAddresses.TryParseRemotePath(archiveWritten!, out var host, out var port))
            {
                context.Transfer(TransferDirection.Download, span, host, port, [directory], archiveWritten);
            }

            if (!parsed.Has("O"))
            {
                context.File(FileAction.Write, directory, span, recursive: true);
            }

            return;
        }

        if ((parsed.Has("t") || parsed.Has("d")) && archiveWritten is not null and not "-" && !remoteArchive)
        {
            context.File(FileAction.Read, archive, archiveSpan);
        }
    }

    private static bool IsOldStyleBundle(string first)
    {
        foreach (var c in first)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return first.Contains('c', StringComparison.Ordinal) || first.Contains('x', StringComparison.Ordinal)
            || first.Contains('t', StringComparison.Ordinal) || first.Contains('r', StringComparison.Ordinal)
            || first.Contains('u', StringComparison.Ordinal) || first.Contains('A', StringComparison.Ordinal)
            || first.Contains('d', StringComparison.Ordinal);
    }

    private static void RunTarCommands(in ProgramContext context, ParsedArguments parsed)
    {
        foreach (var option in parsed.Options)
        {
            if (option.Value is not { Length: > 0 } value)
            {
                continue;
            }

            switch (option.Name)
            {
                case "I":
                case "to-command":
                case "rsh-command":
                case "rmt-command":
                case "F":
                    context.Shell(value, context.SpanOf(option), "tar --" + (option.Name.Length == 1 ? "use-compress-program" : option.Name));
                    break;
                case "checkpoint-action":
                    var exec = value.IndexOf("exec=", StringComparison.Ordinal);
                    if (exec >= 0)
                    {
                        context.Shell(value[(exec + 5)..], context.SpanOf(option), "tar --checkpoint-action");
                    }

                    break;
            }
        }
    }

    private static string[] TarMembers(in ProgramContext context, ParsedArguments parsed)
    {
        var members = new string[parsed.OperandCount];
        for (var k = 0; k < members.Length; k++)
        {
            var written = parsed.Operand(k);
            var directory = IsRooted(written) ? null : TarDirectoryAt(context, parsed, parsed.Operands[k]);
            members[k] = directory is null ? context.Path(written) : context.Path(directory + "/" + written);
        }

        return members;
    }

    /// <summary>Gets the directory that the <c>-C</c> options before argument <paramref name="index"/> select, or <see langword="null"/>.</summary>
    private static string? TarDirectoryAt(in ProgramContext context, ParsedArguments parsed, int index)
    {
        string? directory = null;
        foreach (var option in parsed.Options)
        {
            if (!string.Equals(option.Name, "C", StringComparison.Ordinal) || option.Value is null || Math.Max(option.Index, option.ValueIndex) >= index)
            {
                continue;
            }

            directory = directory is null || IsRooted(option.Value) ? context.Path(option.Value) : context.Path(directory + "/" + option.Value);
        }

        return directory;
    }

    private static void Zip(in ProgramContext context)
    {
        var operands = new List<int>();
        var recursive = false;
        var stopped = false;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (stopped || arg.Length < 2 || arg[0] != '-')
            {
                operands.Add(i);
                continue;
            }

            switch (arg)
            {
                case "--":
                    stopped = true;
                    continue;
                case "-TT" or "--unzip-command":
                    if (i + 1 < context.Count)
                    {
                        context.Shell(context[i + 1], context.SpanAt(i + 1), "zip -TT");
                        i++;
                    }

                    continue;
                case "-x" or "-i" or "--exclude" or "--include":
                    while (i + 1 < context.Count && !context[i + 1].StartsWith('-'))
                    {
                        i++;
                    }

                    continue;
                case "-tt" or "-lf" or "-ds" or "-sp" or "--out" or "--password" or "--temp-path" or "--logfile-path" or "--split-size" or "--compression-method" or "--suffixes" or "--after-date" or "--before-date" or "-b" or "-n" or "-t" or "-O" or "-P" or "-Z" or "-s":
                    i++;
                    continue;
                case "--recurse-paths" or "--recurse-patterns":
                    recursive = true;
                    continue;
            }

            if (arg.StartsWith("--unzip-command=", StringComparison.Ordinal))
            {
                context.Shell(arg[16..], context.SpanAt(i), "zip -TT");
                continue;
            }

            if (arg[1] != '-' && (arg.Contains('r', StringComparison.Ordinal) || arg.Contains('R', StringComparison.Ordinal)))
            {
                recursive = true;
            }
        }

        if (operands.Count == 0)
        {
            return;
        }

        var archive = context[operands[0]];
        var archivePath = archive == "-" ? "/dev/stdout" : context.Path(archive);
        if (archive != "-" && !System.IO.Path.GetFileName(archivePath).Contains('.', StringComparison.Ordinal))
        {
            archivePath += ".zip";
        }

        var sources = new string[operands.Count - 1];
        for (var k = 1; k < operands.Count; k++)
        {
            sources[k - 1] = context.Path(context[operands[k]]);
        }

        context.File(FileAction.Copy, archivePath, context.SpanOf(operands[0], operands[^1]), sources, recursive, archive: true);
    }

    private static void SevenZip(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_sevenZip);
        if (parsed.OperandCount < 2)
        {
            return;
        }

        var command = parsed.Operand(0);
        var archiveSpan = context.SpanAt(parsed.Operands[1]);
        switch (command)
        {
            case "a" or "u":
                context.File(FileAction.Copy, context.Path(parsed.Operand(1)), context.OperandSpan(parsed, 1, parsed.OperandCount), context.Paths(parsed, 2, parsed.OperandCount), recursive: true, archive: true);
                break;
            case "x" or "e":
                string? output = null;
                for (var i = 0; i < context.Count; i++)
                {
                    if (context[i].Length > 2 && context[i].StartsWith("-o", StringComparison.Ordinal))
                    {
                        output = context[i][2..];
                    }
                }

                context.File(FileAction.Write, context.Path(output ?? "."), archiveSpan, recursive: true);
                break;
            case "l" or "t" or "h":
                context.File(FileAction.Read, context.Path(parsed.Operand(1)), archiveSpan);
                break;
        }
    }

    private static void Unzip(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_unzip);
        if (parsed.OperandCount == 0)
        {
            return;
        }

        var archive = context.Path(parsed.Operand(0));
        var archiveSpan = context.SpanAt(parsed.Operands[0]);
        if (parsed.Has("l") || parsed.Has("t") || parsed.Has("v") || parsed.Has("Z") || parsed.Has("p") || parsed.Has("c") || parsed.Has("z"))
        {
            context.File(FileAction.Read, archive, archiveSpan);
            return;
        }

        var directory = parsed.Last("d");
        var span = directory is { } d ? TextSpan.Union(archiveSpan, context.SpanOf(d)) : archiveSpan;
        context.File(FileAction.Write, context.Path(directory?.Value ?? "."), span, [archive], recursive: true);
    }

    private static void Tee(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_tee);
        var action = parsed.Has("a") ? FileAction.Append : FileAction.Write;
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            if (parsed.Operand(k) != "-")
            {
                context.File(action, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]), content: context.Invocation.StdinText);
            }
        }
    }

    private static void Truncate(in ProgramContext context) => DeleteOperands(context, OptionParser.Parse(context.Args, s_truncate), recursive: false);

    private static void Remove(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_rm);
        DeleteOperands(context, parsed, parsed.Has("r"));
    }

    private static void Unlink(in ProgramContext context) => DeleteOperands(context, OptionParser.Parse(context.Args, s_rm), recursive: false);

    private static void Shred(in ProgramContext context) => DeleteOperands(context, OptionParser.Parse(context.Args, s_shred), recursive: false);

    private static void Rmdir(in ProgramContext context) => DeleteOperands(context, OptionParser.Parse(context.Args, s_rm), recursive: false);

    private static void DeleteOperands(in ProgramContext context, ParsedArguments parsed, bool recursive)
    {
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            context.File(FileAction.Delete, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]), recursive: recursive);
        }
    }

    private static void Chmod(in ProgramContext context)
    {
        var recursive = false;
        var reference = false;
        var operands = new List<int>();
        var stopped = false;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (stopped || arg.Length < 2 || arg[0] != '-' || IsModeLike(arg))
            {
                operands.Add(i);
                continue;
            }

            if (arg == "--")
            {
                stopped = true;
            }
            else if (arg.StartsWith("--reference", StringComparison.Ordinal))
            {
                reference = true;
                if (!arg.Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }
            }
            else if (arg == "--recursive" || (arg[1] != '-' && arg.Contains('R', StringComparison.Ordinal)))
            {
                recursive = true;
            }
        }

        PermissionChanges(context, operands, reference ? 0 : 1, recursive);
    }

    private static bool IsModeLike(string arg)
    {
        for (var i = 1; i < arg.Length; i++)
        {
            if ("rwxXst".IndexOf(arg[i], StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void Chown(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_chown);
        PermissionChanges(context, parsed.Operands, parsed.Has("reference") ? 0 : 1, parsed.Has("R"));
    }

    private static void Chattr(in ProgramContext context)
    {
        var operands = new List<int>();
        var recursive = false;
        var modeSeen = false;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg is "-R" or "-V" or "-f" or "-RV" or "-Rf" or "-fR")
            {
                recursive |= arg.Contains('R', StringComparison.Ordinal);
                continue;
            }

            if (arg is "-v" or "-p")
            {
                i++;
                continue;
            }

            if (!modeSeen && arg.Length > 0 && (arg[0] == '+' || arg[0] == '-' || arg[0] == '='))
            {
                modeSeen = true;
                continue;
            }

            operands.Add(i);
        }

        PermissionChanges(context, operands, 0, recursive);
    }

    private static void Setfacl(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_setfacl);
        PermissionChanges(context, parsed.Operands, 0, parsed.Has("R"));
    }

    private static void PermissionChanges(in ProgramContext context, List<int> operands, int skip, bool recursive)
    {
        for (var k = skip; k < operands.Count; k++)
        {
            context.File(FileAction.PermissionChange, context.Path(context[operands[k]]), context.SpanAt(operands[k]), recursive: recursive);
        }
    }

    private static void ReadOperands(in ProgramContext context, OptionSpec spec)
    {
        var parsed = OptionParser.Parse(context.Args, spec);
        var count = parsed.OperandCount;
        if (string.Equals(context.Name, "xxd", StringComparison.Ordinal) && count >= 2)
        {
            if (parsed.Operand(1) != "-")
            {
                context.File(FileAction.Write, context.Path(parsed.Operand(1)), context.SpanAt(parsed.Operands[1]));
            }

            count = 1;
        }

        List<string>? read = null;
        for (var k = 0; k < count; k++)
        {
            if (parsed.Operand(k) != "-")
            {
                var path = context.Path(parsed.Operand(k));
                context.File(FileAction.Read, path, context.SpanAt(parsed.Operands[k]));
                (read ??= []).Add(path);
            }
        }

        CopiedToStdoutFile(context, read);
    }

    /// <summary>
    /// A reader whose output is redirected to a file (<c>cat /etc/shadow &gt; /tmp/s</c>, <c>base64 w.safetensors &gt; w.b64</c>)
    /// copies what it read there, transformed or not: the same copy as <c>cp</c>.
    /// </summary>
    internal static void CopiedToStdoutFile(in ProgramContext context, List<string>? sources)
    {
        if (sources is { Count: > 0 } && context.Invocation.StdoutFile is { } destination && !sources.Contains(destination))
        {
            context.File(FileAction.Copy, destination, context.Whole, sources);
        }
    }

    private static readonly OptionSpec s_mkdir = new(shortValues: "mZ", longValues: ["mode", "context"], longFlags: ["parents", "verbose"], aliases: ["parents=p", "mode=m"], abbreviations: true);

    /// <summary>
    /// <c>mkdir DIR</c> creates a directory: a write with no content (<c>Recursive</c> marks it as a directory), so that
    /// the session sees a directory being added to, say, a copy it made. A new empty directory runs nothing, so the
    /// catalogs do not treat it as a change of what is there.
    /// </summary>
    private static void Mkdir(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_mkdir);
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            context.File(FileAction.Write, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]), recursive: true);
        }
    }

    private static void Sed(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_sed);
        if (!parsed.Has("i"))
        {
            return;
        }

        var first = parsed.Has("e") || parsed.Has("f") ? 0 : 1;
        for (var k = first; k < parsed.OperandCount; k++)
        {
            context.File(FileAction.Write, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]));
        }
    }

    private static void Touch(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_touch);
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            context.File(FileAction.Write, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]));
        }
    }

    // An editor given files may write them: scripted (ex -sc '%s/a/b/|x' f, ed f <<<…, vim -es, emacs --batch) or not.
    private static void Editor(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_editor);
        if (parsed.Has("R"))
        {
            return; // read-only
        }

        for (var k = 0; k < parsed.OperandCount; k++)
        {
            var operand = parsed.Operand(k);
            if (operand.Length > 0 && operand[0] != '+' && operand != "-")
            {
                context.File(FileAction.Write, context.Path(operand), context.SpanAt(parsed.Operands[k]));
            }
        }
    }

    // mount [--bind] SOURCE TARGET puts something else at TARGET (a bind mount links SOURCE there); mount -o remount TARGET
    // changes what TARGET allows (a read-only mount of the guard's files made writable).
    private static void Mount(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_mount);
        var count = parsed.OperandCount;
        if (count == 0)
        {
            return;
        }

        var target = parsed.Operand(count - 1);
        var source = count >= 2 && parsed.Operand(0).Contains('/', StringComparison.Ordinal) ? new[] { context.Path(parsed.Operand(0)) } : null;
        context.File(FileAction.Link, context.Path(target), context.OperandSpan(parsed, 0, count), source);
    }

    // umount TARGET takes away what is mounted there, exposing what lies beneath (the guard's files under a read-only mount).
    private static void Umount(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_mount);
        for (var k = 0; k < parsed.OperandCount; k++)
        {
            context.File(FileAction.Delete, context.Path(parsed.Operand(k)), context.SpanAt(parsed.Operands[k]));
        }
    }

    private static void Split(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_split);
        if (parsed.Last("filter") is { Value: { } filter } option)
        {
            context.Shell(filter, context.SpanOf(option), "split --filter");
        }

        if (parsed.OperandCount == 0 || parsed.Operand(0) == "-")
        {
            return;
        }

        var prefix = parsed.OperandCount > 1 ? parsed.Operand(1) : "x";
        context.File(FileAction.Copy, context.Path(prefix), context.OperandSpan(parsed, 0, parsed.OperandCount), [context.Path(parsed.Operand(0))]);
    }

    private static void Compress(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_compressor);
        var name = context.Name;
        var toStdout = parsed.Has("c") || name.EndsWith("cat", StringComparison.Ordinal);
        var decompress = parsed.Has("d") || parsed.Has("t") || parsed.Has("l") || name.StartsWith("gun", StringComparison.Ordinal)
            || name.StartsWith("un", StringComparison.Ordinal) || name.StartsWith("bun", StringComparison.Ordinal);
        var count = parsed.OperandCount;
        if (parsed.Last("o") is { Value: { } output } outputOption && !string.Equals(name, "gzip", StringComparison.Ordinal))
        {
            context.File(FileAction.Copy, context.Path(output), context.OperandSpan(parsed, 0, count, outputOption.ValueIndex), context.Paths(parsed, 0, count), archive: !decompress);
            return;
        }

        if (string.Equals(name, "lz4", StringComparison.Ordinal) && count == 2 && !toStdout && !parsed.Has("m"))
        {
            context.File(FileAction.Copy, context.Path(parsed.Operand(1)), context.OperandSpan(parsed, 0, 2), [context.Path(parsed.Operand(0))], archive: !decompress);
            return;
        }

        for (var k = 0; k < count; k++)
        {
            var written = parsed.Operand(k);
            if (written == "-")
            {
                continue;
            }

            var path = context.Path(written);
            var span = context.SpanAt(parsed.Operands[k]);
            if (toStdout || decompress)
            {
                context.File(FileAction.Read, path, span);
                continue;
            }

            var keeps = parsed.Has("k") || (name is "zstd" or "lz4" or "brotli" && !parsed.Has("rm"));
            context.File(keeps ? FileAction.Copy : FileAction.Move, path + CompressedExtension(name), span, [path], archive: true);
        }
    }

    private static string CompressedExtension(string program) => program switch
    {
        "bzip2" or "pbzip2" => ".bz2",
        "xz" => ".xz",
        "lzma" => ".lzma",
        "zstd" => ".zst",
        "lz4" => ".lz4",
        "brotli" => ".br",
        _ => ".gz",
    };

    internal static bool IsRooted(string path) => path.Length > 0 && (path[0] == '/' || path[0] == '~');

    private static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private sealed record ReadToolSpec(OptionSpec Spec, params string[] Names);
}
