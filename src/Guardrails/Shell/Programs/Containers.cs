using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>Containers and clusters: docker, podman, nerdctl, compose, kubectl, oc, helm.</summary>
internal static class Containers
{
    private static readonly OptionSpec s_dockerGlobal = new(
        shortValues: "Hcl",
        longValues: ["host", "context", "config", "log-level", "tlscacert", "tlscert", "tlskey"],
        longFlags: ["debug", "tls", "tlsverify", "version", "help"],
        aliases: ["host=H", "context=c", "log-level=l"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_dockerRun = new(
        shortValues: "acehlmpuvw",
        longValues: ["name", "network", "net", "entrypoint", "gpus", "cpus", "mount", "env-file", "label", "restart", "runtime", "shm-size", "ipc", "hostname", "device", "cap-add", "cap-drop", "platform", "pull", "add-host", "volumes-from", "memory", "memory-swap", "user", "workdir", "publish", "volume", "env", "expose", "log-driver", "log-opt", "pid", "security-opt", "stop-signal", "stop-timeout", "tmpfs", "ulimit", "userns", "uts", "health-cmd", "health-interval", "health-retries", "health-timeout", "health-start-period", "dns", "dns-search", "dns-option", "link", "cgroupns", "cidfile", "cpuset-cpus", "cpuset-mems", "group-add", "ip", "ip6", "mac-address", "isolation", "storage-opt", "sysctl", "annotation", "attach", "blkio-weight", "cgroup-parent", "cpu-period", "cpu-quota", "cpu-shares", "detach-keys", "device-cgroup-rule", "domainname", "label-file", "network-alias", "oom-score-adj", "pids-limit", "memory-reservation", "kernel-memory", "volume-driver", "arch", "os", "pod", "secret", "systemd", "userns-remap"],
        longFlags: ["rm", "detach", "interactive", "tty", "privileged", "init", "read-only", "publish-all", "quiet", "no-healthcheck", "oom-kill-disable", "disable-content-trust", "help", "use-api-socket", "replace"],
        aliases: ["detach=d", "publish=p", "volume=v", "env=e", "workdir=w", "user=u", "hostname=h", "label=l", "memory=m", "interactive=i", "tty=t", "publish-all=P", "attach=a", "cpu-shares=c", "net=network"],
        stopAtFirstOperand: true,
        unknownLongTakesValue: true);

    private static readonly OptionSpec s_dockerExec = new(
        shortValues: "euw",
        longValues: ["env", "env-file", "user", "workdir", "detach-keys"],
        longFlags: ["detach", "interactive", "tty", "privileged"],
        aliases: ["env=e", "user=u", "workdir=w", "detach=d", "interactive=i", "tty=t"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_dockerSimple = new(shortValues: "s", longValues: ["signal", "time", "timeout"], aliases: ["signal=s"]);

    private static readonly OptionSpec s_compose = new(
        shortValues: "fp",
        longValues: ["file", "project-name", "profile", "env-file", "project-directory", "ansi", "progress", "parallel"],
        aliases: ["file=f", "project-name=p"],
        stopAtFirstOperand: true);

    private static readonly OptionSpec s_composeUp = new(
        shortValues: "t",
        longValues: ["scale", "timeout", "pull", "exit-code-from", "attach", "no-attach", "wait-timeout"],
        longFlags: ["detach", "build", "no-build", "force-recreate", "no-recreate", "no-deps", "remove-orphans", "wait", "quiet-pull", "always-recreate-deps", "abort-on-container-exit", "no-start", "watch", "yes"],
        aliases: ["detach=d"]);

    private static readonly OptionSpec s_kubectl = new(
        shortValues: "nsfclok",
        longValues: ["namespace", "context", "cluster", "kubeconfig", "server", "token", "user", "as", "as-group", "selector", "output", "filename", "container", "image", "replicas", "port", "overrides", "env", "labels", "timeout", "request-timeout", "field-selector", "kustomize", "type", "target-port", "name", "min", "max", "cpu-percent", "address", "pod-running-timeout", "restart", "image-pull-policy", "serviceaccount", "requests", "limits", "annotations", "current-replicas", "resource-version", "for", "template", "field-manager", "schedule", "protocol", "external-ip", "load-balancer-ip", "session-affinity", "cluster-ip", "generator", "profile", "target"],
        longFlags: ["rm", "stdin", "tty", "all", "all-namespaces", "force", "recursive", "wait", "overwrite", "record", "show-labels", "watch", "quiet", "insecure-skip-tls-verify", "server-side", "prune", "attach", "leave-stdin-open", "privileged", "expose", "command", "dry-run", "local", "validate", "help"],
        aliases: ["namespace=n", "filename=f", "container=c", "selector=l", "output=o", "kustomize=k", "stdin=i", "tty=t", "recursive=R", "all-namespaces=A", "server=s"],
        unknownLongTakesValue: true);

    private static readonly OptionSpec s_helm = new(
        shortValues: "fno",
        longValues: ["values", "namespace", "output", "set", "set-string", "set-file", "set-json", "set-literal", "version", "repo", "kube-context", "kubeconfig", "timeout", "description", "post-renderer", "post-renderer-args", "username", "password", "ca-file", "cert-file", "key-file", "registry-config", "repository-config", "repository-cache", "kube-apiserver", "kube-token", "kube-as-user", "kube-as-group", "kube-ca-file", "burst-limit", "qps", "history-max", "labels", "name-template"],
        longOptional: ["dry-run"],
        longFlags: ["install", "wait", "wait-for-jobs", "atomic", "create-namespace", "debug", "force", "devel", "generate-name", "reuse-values", "reset-values", "reset-then-reuse-values", "skip-crds", "dependency-update", "disable-openapi-validation", "no-hooks", "render-subchart-notes", "replace", "verify", "insecure-skip-tls-verify", "plain-http", "pass-credentials", "cleanup-on-fail", "take-ownership", "skip-schema-validation", "enable-dns", "hide-notes", "hide-secret", "rollback-on-failure"],
        aliases: ["values=f", "namespace=n", "output=o", "generate-name=g"]);

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Docker, "docker", "podman", "nerdctl");
        table.Add(ComposeProgram, "docker-compose", "podman-compose");
        table.Add(Kubectl, "kubectl", "oc");
        table.Add(Helm, "helm");
    }

    private static void Docker(in ProgramContext context)
    {
        var global = OptionParser.Parse(context.Args, s_dockerGlobal);
        var start = global.RestIndex;
        if (start < 0 || start >= context.Count)
        {
            return;
        }

        var remoteHost = global.Value("H");
        if (remoteHost is not null && !remoteHost.StartsWith("unix://", StringComparison.Ordinal) && !remoteHost.StartsWith("npipe://", StringComparison.Ordinal))
        {
            context.Remote(context.Name + " -H", remoteHost, context.Join(start), context.Whole);
        }
        else if (global.Value("c") is { } dockerContext && dockerContext != "default")
        {
            context.Remote(context.Name + " --context", dockerContext, context.Join(start), context.Whole);
        }

        var subcommand = context[start];
        if (subcommand is "container" or "image" && start + 1 < context.Count)
        {
            start++;
            subcommand = context[start];
        }

        switch (subcommand)
        {
            case "run" or "create":
                DockerRun(context, start + 1, subcommand);
                break;
            case "exec":
                DockerExec(context, start + 1);
                break;
            case "cp":
                DockerCp(context, start + 1);
                break;
            case "compose":
                Compose(context, start + 1, context.Name + " compose");
                break;
            case "start":
            case "restart":
                var started = OptionParser.Parse(context.Args, s_dockerSimple, start + 1);
                for (var k = 0; k < started.OperandCount; k++)
                {
                    context.Provision(context.Name, subcommand, started.Operand(k), context.SpanAt(started.Operands[k]));
                }

                break;
            case "kill" or "stop":
                var stopped = OptionParser.Parse(context.Args, s_dockerSimple, start + 1);
                if (stopped.OperandCount > 0)
                {
                    var names = new string[stopped.OperandCount];
                    for (var k = 0; k < names.Length; k++)
                    {
                        names[k] = stopped.Operand(k);
                    }

                    context.Signal(stopped.Value("s") ?? (subcommand == "kill" ? "KILL" : "TERM"), names, context.OperandSpan(stopped, 0, names.Length));
                }

                break;
            case "service" when start + 1 < context.Count && context[start + 1] == "create":
                var service = OptionParser.Parse(context.Args, s_dockerRun, start + 2);
                var image = service.RestIndex >= 0 && service.RestIndex < context.Count ? context[service.RestIndex] : null;
                context.Provision(context.Name, "service create", image, image is null ? context.Whole : context.SpanAt(service.RestIndex));
                break;
            case "stack" when start + 1 < context.Count && context[start + 1] == "deploy":
                context.Provision(context.Name, "stack deploy", null, context.Whole);
                break;
            case "push" when start + 1 < context.Count:
                var pushed = OptionParser.Parse(context.Args, s_dockerSimple, start + 1);
                if (pushed.OperandCount > 0)
                {
                    var reference = pushed.Operand(0);
                    context.Transfer(TransferDirection.Upload, context.SpanAt(pushed.Operands[0]), RegistryOf(reference), remote: reference);
                }

                break;
        }
    }

    private static string RegistryOf(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = image.AsSpan(0, slash);
            if (first.Contains('.') || first.Contains(':') || first.SequenceEqual("localhost"))
            {
                return first.ToString();
            }
        }

        return "docker.io";
    }

    private static void DockerRun(in ProgramContext context, int start, string subcommand)
    {
        var parsed = OptionParser.Parse(context.Args, s_dockerRun, start);
        var imageIndex = parsed.RestIndex;
        var image = imageIndex >= 0 && imageIndex < context.Count ? context[imageIndex] : null;
        var imageSpan = image is null ? context.Whole : context.SpanOf(imageIndex, context.Count - 1);
        context.Provision(context.Name, subcommand, image, imageSpan);
        foreach (var option in parsed.Options)
        {
            if (option.Value is not { } value)
            {
                continue;
            }

            switch (option.Name)
            {
                case "p":
                    PublishedPort(value, out var hostIp, out var hostPort);
                    context.Listen(context.SpanOf(option), hostPort, hostIp);
                    break;
                case "v":
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && IsHostPath(value[..colon]))
                    {
                        var rest = value[(colon + 1)..];
                        var second = rest.IndexOf(':', StringComparison.Ordinal);
                        var target = second >= 0 ? rest[..second] : rest;
                        context.File(FileAction.Copy, "container:" + target, context.SpanOf(option), [context.Path(value[..colon])], recursive: true);
                    }

                    break;
                case "mount":
                    Mount(context, option, value);
                    break;
                case "restart" when value is not ("no" or "\"no\""):
                    context.Schedule(context.Name, image, null, context.SpanOf(option));
                    break;
            }
        }

        if (parsed.Has("P"))
        {
            context.Listen(context.Whole, null);
        }

        if (image is not null && parsed.Has("d"))
        {
            var arguments = ListSlice<string>.Create(context.Args, imageIndex + 1, context.Count - imageIndex - 1);
            context.LaunchOther(image, arguments, imageSpan, context.Name + " " + subcommand + " -d");
        }
    }

    private static void Mount(in ProgramContext context, ParsedOption option, string value)
    {
        string? type = null, source = null, target = null;
        foreach (var part in value.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq];
            var text = part[(eq + 1)..];
            switch (key)
            {
                case "type":
                    type = text;
                    break;
                case "source" or "src":
                    source = text;
                    break;
                case "target" or "destination" or "dst":
                    target = text;
                    break;
            }
        }

        if (source is not null && target is not null && (type is null or "bind") && IsHostPath(source))
        {
            context.File(FileAction.Copy, "container:" + target, context.SpanOf(option), [context.Path(source)], recursive: true);
        }
    }

    private static bool IsHostPath(string source) => source.Length > 0 && (source[0] is '/' or '.' or '~' || source.StartsWith("$HOME", StringComparison.Ordinal));

    private static void PublishedPort(string value, out string? hostIp, out int? hostPort)
    {
        hostIp = null;
        hostPort = null;
        var spec = value.AsSpan();
        var slash = spec.IndexOf('/');
        if (slash >= 0)
        {
            spec = spec[..slash];
        }

        string[] parts;
        if (spec.Length > 0 && spec[0] == '[')
        {
            var close = spec.IndexOf(']');
            if (close < 0)
            {
                return;
            }

            hostIp = spec[1..close].ToString();
            parts = spec[(close + 1)..].TrimStart(':').ToString().Split(':');
            hostPort = parts.Length >= 2 ? NetworkAddresses.ParsePort(PortRangeStart(parts[0])) : null;
            return;
        }

        parts = spec.ToString().Split(':');
        switch (parts.Length)
        {
            case 2:
                hostPort = NetworkAddresses.ParsePort(PortRangeStart(parts[0]));
                break;
            case >= 3:
                hostIp = parts[0].Length == 0 ? null : parts[0];
                hostPort = NetworkAddresses.ParsePort(PortRangeStart(parts[1]));
                break;
        }
    }

    private static string PortRangeStart(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? text[..dash] : text;
    }

    private static void DockerExec(in ProgramContext context, int start)
    {
        var parsed = OptionParser.Parse(context.Args, s_dockerExec, start);
        var containerIndex = parsed.RestIndex;
        if (containerIndex < 0 || containerIndex >= context.Count)
        {
            return;
        }

        var container = context[containerIndex];
        var commandStart = containerIndex + 1;
        var hasCommand = commandStart < context.Count;
        var span = hasCommand ? context.SpanOf(commandStart, context.Count - 1) : context.SpanAt(containerIndex);
        context.Remote(context.Name + " exec", container, hasCommand ? context.Join(commandStart) : null, span);
        if (hasCommand)
        {
            context.RunInner(commandStart, context.Name + " exec " + container, parsed.Has("d") ? context.Name + " exec -d" : null, inheritStdin: parsed.Has("i"));
        }
    }

    private static void DockerCp(in ProgramContext context, int start)
    {
        var parsed = OptionParser.Parse(context.Args, new OptionSpec(), start);
        if (parsed.OperandCount < 2)
        {
            return;
        }

        var source = parsed.Operand(0);
        var destination = parsed.Operand(1);
        var sourceInContainer = NetworkAddresses.TryParseRemotePath(source, out _, out _, singleLetterIsDrive: true);
        var destinationInContainer = NetworkAddresses.TryParseRemotePath(destination, out _, out _, singleLetterIsDrive: true);
        if (!sourceInContainer && !destinationInContainer)
        {
            return;
        }

        var sourcePath = sourceInContainer ? source : source == "-" ? context.Invocation.StdinFile ?? "-" : context.Path(source);
        var destinationPath = destinationInContainer ? destination : destination == "-" ? "/dev/stdout" : context.Path(destination);
        context.File(FileAction.Copy, destinationPath, context.OperandSpan(parsed, 0, 2), [sourcePath], recursive: true);
    }

    private static void ComposeProgram(in ProgramContext context) => Compose(context, 0, context.Name);

    private static void Compose(in ProgramContext context, int start, string tool)
    {
        var parsed = OptionParser.Parse(context.Args, s_compose, start);
        var verbIndex = parsed.RestIndex;
        if (verbIndex < 0 || verbIndex >= context.Count)
        {
            return;
        }

        var file = parsed.Value("f") is { } f ? context.Path(f) : null;
        var verb = context[verbIndex];
        var provider = context.Name is "podman" or "podman-compose" ? "podman" : "docker";
        switch (verb)
        {
            case "up" or "run" or "start" or "create" or "restart":
                var options = OptionParser.Parse(context.Args, s_composeUp, verbIndex + 1);
                context.Provision(provider, "compose " + verb, file, context.Whole);
                if (verb == "up" && options.Has("d"))
                {
                    var services = new string[options.OperandCount];
                    for (var k = 0; k < services.Length; k++)
                    {
                        services[k] = options.Operand(k);
                    }

                    context.LaunchOther(file ?? "compose", services, context.Whole, tool + " up -d");
                }

                break;
            case "exec" when verbIndex + 2 < context.Count:
                var exec = OptionParser.Parse(context.Args, s_dockerExec, verbIndex + 1);
                if (exec.RestIndex >= 0 && exec.RestIndex + 1 < context.Count)
                {
                    var commandStart = exec.RestIndex + 1;
                    var span = context.SpanOf(commandStart, context.Count - 1);
                    context.Remote(tool + " exec", context[exec.RestIndex], context.Join(commandStart), span);
                    context.RunInner(commandStart, tool + " exec " + context[exec.RestIndex]);
                }

                break;
        }
    }

    /// <summary><c>kubectl proxy</c> listens locally (or on <c>--address</c>); with <c>--www DIR</c> it also serves DIR's files.</summary>
    private static void KubectlProxy(in ProgramContext context)
    {
        string? www = null;
        string? address = null;
        int? port = 8001;
        for (var i = 0; i < context.Count; i++)
        {
            var argument = context[i];
            var eq = argument.IndexOf('=', StringComparison.Ordinal);
            var name = argument.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? argument[..eq] : argument;
            var value = argument.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? argument[(eq + 1)..] : i + 1 < context.Count ? context[i + 1] : null;
            var consumed = eq < 0 || !argument.StartsWith("--", StringComparison.Ordinal);
            switch (name)
            {
                case "-w" or "--www":
                    www = value;
                    break;
                case "-p" or "--port":
                    port = NetworkAddresses.ParsePort(value);
                    break;
                case "--address":
                    address = value;
                    break;
                default:
                    continue;
            }

            if (consumed)
            {
                i++;
            }
        }

        if (www is not null)
        {
            context.Serve([context.Path(www)], port, address ?? "127.0.0.1", context.Whole);
            return;
        }

        context.Listen(context.Whole, port, address ?? "127.0.0.1");
    }

    private static void Kubectl(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_kubectl);
        if (parsed.OperandCount == 0)
        {
            return;
        }

        var verb = parsed.Operand(0);
        var provider = context.Name;
        var span = context.OperandSpan(parsed, 0, parsed.OperandCount);
        switch (verb)
        {
            case "proxy":
                KubectlProxy(context);
                break;
            case "run":
                context.Provision(provider, "run", parsed.Value("image"), span);
                break;
            case "create" when parsed.OperandCount >= 2 && parsed.Operand(1) is "deployment" or "job" or "cronjob" or "statefulset" or "daemonset":
                var image = parsed.Value("image");
                context.Provision(provider, "create " + parsed.Operand(1), image ?? (parsed.OperandCount > 2 ? parsed.Operand(2) : null), span);
                if (parsed.Operand(1) == "cronjob")
                {
                    context.Schedule("kubernetes", image, null, span);
                }

                break;
            case "apply" or "create" or "replace":
                context.Provision(provider, verb, ManifestWorkload(context, parsed), context.Whole);
                break;
            case "scale" or "expose" or "autoscale":
                context.Provision(provider, verb, parsed.OperandCount > 1 ? parsed.Operand(1) : null, span);
                break;
            case "set" when parsed.OperandCount >= 3 && parsed.Operand(1) == "image":
                var assignment = parsed.OperandCount > 3 ? parsed.Operand(3) : null;
                var eq = assignment?.IndexOf('=', StringComparison.Ordinal) ?? -1;
                context.Provision(provider, "set image", eq >= 0 ? assignment![(eq + 1)..] : parsed.Operand(2), span);
                break;
            case "rollout" when parsed.OperandCount >= 2 && parsed.Operand(1) is "restart" or "resume" or "undo":
                context.Provision(provider, "rollout " + parsed.Operand(1), parsed.OperandCount > 2 ? parsed.Operand(2) : null, span);
                break;
            case "debug":
                context.Provision(provider, "debug", parsed.Value("image"), span);
                break;
            case "exec" or "attach" when parsed.OperandCount >= 2:
                KubectlExec(context, parsed);
                break;
            case "cp" when parsed.OperandCount >= 3:
                KubectlCp(context, parsed);
                break;
            case "port-forward" when parsed.OperandCount >= 3:
                for (var k = 2; k < parsed.OperandCount; k++)
                {
                    var mapping = parsed.Operand(k);
                    var colon = mapping.IndexOf(':', StringComparison.Ordinal);
                    var local = colon < 0 ? mapping : mapping[..colon];
                    context.Listen(context.SpanAt(parsed.Operands[k]), NetworkAddresses.ParsePort(local), parsed.Value("address"));
                }

                break;
        }
    }

    private static string? ManifestWorkload(in ProgramContext context, ParsedArguments parsed)
    {
        var file = parsed.Value("f") ?? parsed.Value("k");
        if (file is null)
        {
            return null;
        }

        if (file == "-")
        {
            if (context.Invocation.StdinText is { } manifest && FirstImage(manifest) is { } image)
            {
                return image;
            }

            return context.Invocation.StdinFile ?? "-";
        }

        return file.Contains("://", StringComparison.Ordinal) ? file : context.Path(file);
    }

    private static string? FirstImage(string manifest)
    {
        var index = manifest.IndexOf("image:", StringComparison.Ordinal);
        if (index < 0)
        {
            return null;
        }

        var rest = manifest.AsSpan(index + 6);
        var end = rest.IndexOfAny('\n', '\r');
        var value = (end < 0 ? rest : rest[..end]).Trim().Trim('"').Trim('\'');
        return value.IsEmpty ? null : value.ToString();
    }

    private static void KubectlExec(in ProgramContext context, ParsedArguments parsed)
    {
        var pod = parsed.Operand(1);
        var commandStart = parsed.DoubleDashIndex >= 0 ? parsed.DoubleDashIndex + 1 : parsed.OperandCount > 2 ? parsed.Operands[2] : context.Count;
        var hasCommand = commandStart < context.Count;
        var span = hasCommand ? context.SpanOf(commandStart, context.Count - 1) : context.SpanAt(parsed.Operands[1]);
        var transport = context.Name + " " + parsed.Operand(0);
        context.Remote(transport, pod, hasCommand ? context.Join(commandStart) : null, span);
        if (hasCommand)
        {
            context.RunInner(commandStart, transport + " " + pod, inheritStdin: parsed.Has("i"));
        }
    }

    private static void KubectlCp(in ProgramContext context, ParsedArguments parsed)
    {
        var source = parsed.Operand(1);
        var destination = parsed.Operand(2);
        var span = context.OperandSpan(parsed, 1, 3);
        var transport = context.Name + " cp";
        if (PodPath(destination, out var destinationPod) && !PodPath(source, out _))
        {
            context.Transfer(TransferDirection.Upload, span, destinationPod, localPaths: [context.Path(source)], remote: destination, program: transport);
        }
        else if (PodPath(source, out var sourcePod) && !PodPath(destination, out _))
        {
            context.Transfer(TransferDirection.Download, span, sourcePod, localPaths: [context.Path(destination)], remote: source, program: transport);
        }
    }

    /// <summary>Recognises <c>[namespace/]pod:path</c>.</summary>
    private static bool PodPath(string operand, out string pod)
    {
        pod = string.Empty;
        if (operand.Length == 0 || operand[0] is '/' or '.' or '~')
        {
            return false;
        }

        var colon = operand.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var prefix = operand.AsSpan(0, colon);
        var slash = prefix.IndexOf('/');
        if (slash >= 0 && prefix[(slash + 1)..].Contains('/'))
        {
            return false;
        }

        pod = (slash >= 0 ? prefix[(slash + 1)..] : prefix).ToString();
        return pod.Length > 0;
    }

    private static void Helm(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_helm);
        if (parsed.Last("post-renderer") is { Value: { } renderer } rendererOption)
        {
            context.Shell(renderer, context.SpanOf(rendererOption), "helm --post-renderer");
        }

        if (parsed.OperandCount < 2 || parsed.Operand(0) is not ("install" or "upgrade" or "template" or "i"))
        {
            return;
        }

        var verb = parsed.Operand(0) == "i" ? "install" : parsed.Operand(0);
        if (verb == "template")
        {
            return;
        }

        var chartOperand = parsed.Has("g") || parsed.OperandCount == 2 ? 1 : 2;
        var chart = parsed.OperandCount > chartOperand ? parsed.Operand(chartOperand) : null;
        context.Provision("helm", verb, chart, context.OperandSpan(parsed, 0, parsed.OperandCount));
    }
}
