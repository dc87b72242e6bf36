using Guardrails.Actions;

namespace Guardrails.Shell.Programs;

/// <summary>
/// Cloud, infrastructure and cluster-scheduler CLIs: commands that create, start or scale compute, cloud-storage
/// uploads and downloads, and remote command execution through a provider.
/// </summary>
internal static class CloudClis
{
    private static readonly string[] s_commonFlags =
    [
        "debug", "no-verify-ssl", "no-paginate", "no-sign-request", "no-cli-pager", "recursive", "dryrun", "dry-run", "no-dry-run", "quiet",
        "only-show-errors", "no-progress", "follow-symlinks", "no-follow-symlinks", "delete", "exact-timestamps", "size-only",
        "force-glacier-transfer", "no-guess-mime-type", "associate-public-ip-address", "no-associate-public-ip-address", "ebs-optimized",
        "no-ebs-optimized", "force", "async", "preemptible", "spot", "no-address", "verbose", "yes", "wait", "no-wait", "detach",
        "auto-approve", "overwrite", "public", "private", "allow-unauthenticated", "no-allow-unauthenticated", "help", "json", "gpu",
        "no-user-output-enabled", "generate-ssh-keys", "tunnel-through-iap", "internal-ip", "dry_run", "skip-preview", "refresh", "recurse",
    ];

    private static readonly OptionSpec s_cloud = new(shortValues: "cdfglnpsr", longFlags: s_commonFlags, unknownLongTakesValue: true);

    private static readonly OptionSpec s_cloudNoShortValues = new(longFlags: s_commonFlags, unknownLongTakesValue: true);

    private static readonly OptionSpec s_gsutil = new(shortValues: "ohuxzjsLpiaI", stopAtFirstOperand: false);

    private static readonly OptionSpec s_slurm = new(shortValues: "AbcdDeiJLmnNoptwxCGMqQSW", longFlags: ["pty", "exclusive", "overcommit", "verbose", "quiet", "test-only", "parsable", "hold", "requeue", "no-requeue", "unbuffered", "label"], unknownLongTakesValue: true, stopAtFirstOperand: true);

    private static readonly CloudAction[] s_aws =
    [
        new(["ec2", "run-instances"], "image-id"),
        new(["ec2", "start-instances"], "instance-ids"),
        new(["ec2", "request-spot-instances"], null),
        new(["ec2", "request-spot-fleet"], null),
        new(["ec2", "create-fleet"], null),
        new(["lightsail", "create-instances"], "blueprint-id"),
        new(["lightsail", "create-container-service-deployment"], null),
        new(["ecs", "run-task"], "task-definition"),
        new(["ecs", "create-service"], "task-definition"),
        new(["ecs", "update-service"], "task-definition"),
        new(["lambda", "create-function"], "function-name"),
        new(["lambda", "update-function-code"], "function-name"),
        new(["sagemaker", "create-endpoint"], "endpoint-config-name"),
        new(["sagemaker", "create-training-job"], "training-job-name"),
        new(["sagemaker", "create-notebook-instance"], "notebook-instance-name"),
        new(["sagemaker", "create-processing-job"], null),
        new(["batch", "submit-job"], "job-definition"),
        new(["eks", "create-cluster"], "name"),
        new(["eks", "create-nodegroup"], "nodegroup-name"),
        new(["eks", "update-nodegroup-config"], "nodegroup-name"),
        new(["autoscaling", "update-auto-scaling-group"], "auto-scaling-group-name"),
        new(["autoscaling", "set-desired-capacity"], "auto-scaling-group-name"),
        new(["autoscaling", "create-auto-scaling-group"], "auto-scaling-group-name"),
        new(["apprunner", "create-service"], "service-name"),
        new(["emr", "create-cluster"], null),
    ];

    private static readonly CloudAction[] s_gcloud =
    [
        new(["compute", "instances", "create"], "image", "image-family", "container-image"),
        new(["compute", "instances", "create-with-container"], "container-image"),
        new(["compute", "instances", "start"], null),
        new(["compute", "instances", "resume"], null),
        new(["compute", "instance-groups", "managed", "create"], "template"),
        new(["compute", "instance-groups", "managed", "resize"], null),
        new(["compute", "tpus", "create"], null),
        new(["compute", "tpus", "tpu-vm", "create"], "version"),
        new(["run", "deploy"], "image", "source"),
        new(["run", "jobs", "create"], "image"),
        new(["run", "jobs", "execute"], null),
        new(["run", "services", "update"], "image"),
        new(["container", "clusters", "create"], null),
        new(["container", "clusters", "resize"], null),
        new(["container", "node-pools", "create"], null),
        new(["ai", "endpoints", "deploy-model"], "model"),
        new(["ai", "custom-jobs", "create"], null),
        new(["ai-platform", "jobs", "submit", "training"], null),
        new(["functions", "deploy"], "source"),
        new(["app", "deploy"], null),
        new(["workbench", "instances", "create"], null),
        new(["notebooks", "instances", "create"], null),
        new(["batch", "jobs", "submit"], null),
        new(["dataproc", "clusters", "create"], null),
    ];

    private static readonly CloudAction[] s_az =
    [
        new(["vm", "create"], "image"),
        new(["vm", "start"], null),
        new(["vmss", "create"], "image"),
        new(["vmss", "scale"], null),
        new(["container", "create"], "image"),
        new(["aks", "create"], null),
        new(["aks", "scale"], null),
        new(["aks", "nodepool", "add"], null),
        new(["aks", "nodepool", "scale"], null),
        new(["ml", "online-endpoint", "create"], "file"),
        new(["ml", "online-deployment", "create"], "file"),
        new(["ml", "job", "create"], "file"),
        new(["ml", "compute", "create"], null),
        new(["containerapp", "create"], "image"),
        new(["containerapp", "up"], "image", "source"),
        new(["webapp", "create"], null),
        new(["webapp", "up"], null),
        new(["functionapp", "create"], null),
        new(["batch", "pool", "create"], "image"),
    ];

    private static readonly CloudAction[] s_doctl = [new(["compute", "droplet", "create"], "image"), new(["kubernetes", "cluster", "create"], null), new(["apps", "create"], "spec")];

    private static readonly CloudAction[] s_linode = [new(["linodes", "create"], "image")];

    private static readonly CloudAction[] s_hcloud = [new(["server", "create"], "image")];

    private static readonly CloudAction[] s_vastai = [new(["create", "instance"], "image")];

    private static readonly CloudAction[] s_runpod = [new(["create", "pod"], "imageName"), new(["create", "pods"], "imageName")];

    private static readonly CloudAction[] s_sky = [new(["launch"], "#"), new(["exec"], "#"), new(["jobs", "launch"], "#"), new(["serve", "up"], "#"), new(["start"], "#")];

    private static readonly CloudAction[] s_modal = [new(["deploy"], "#"), new(["run"], "#"), new(["serve"], "#")];

    private static readonly CloudAction[] s_fly = [new(["deploy"], "image"), new(["launch"], "image"), new(["machine", "run"], "#"), new(["machines", "run"], "#"), new(["scale", "count"], null)];

    private static readonly CloudAction[] s_oci = [new(["compute", "instance", "launch"], "image-id")];

    private static readonly CloudAction[] s_vultr = [new(["instance", "create"], "image")];

    private static readonly CloudAction[] s_eksctl = [new(["create", "cluster"], null), new(["create", "nodegroup"], null), new(["scale", "nodegroup"], null)];

    private static readonly CloudAction[] s_pulumi = [new(["up"], "stack"), new(["update"], "stack")];

    private static readonly CloudAction[] s_deploy = [new(["deploy"], null)];

    public static void Register(ProgramTableBuilder table)
    {
        table.Add(Aws, "aws");
        table.Add(Gsutil, "gsutil");
        table.Add(Gcloud, "gcloud");
        table.Add(Az, "az");
        table.Add(AzCopy, "azcopy");
        table.Add((in ProgramContext c) => Generic(c, "digitalocean", s_doctl), "doctl");
        table.Add((in ProgramContext c) => Generic(c, "linode", s_linode), "linode-cli");
        table.Add((in ProgramContext c) => Generic(c, "hetzner", s_hcloud), "hcloud");
        table.Add((in ProgramContext c) => Generic(c, "vastai", s_vastai), "vastai", "vast");
        table.Add((in ProgramContext c) => Generic(c, "runpod", s_runpod), "runpodctl");
        table.Add((in ProgramContext c) => Generic(c, "skypilot", s_sky), "sky");
        table.Add((in ProgramContext c) => Generic(c, "modal", s_modal), "modal");
        table.Add((in ProgramContext c) => Generic(c, "fly", s_fly), "fly", "flyctl");
        table.Add((in ProgramContext c) => Generic(c, "oci", s_oci), "oci");
        table.Add((in ProgramContext c) => Generic(c, "vultr", s_vultr), "vultr-cli");
        table.Add((in ProgramContext c) => Generic(c, "eksctl", s_eksctl), "eksctl");
        table.Add((in ProgramContext c) => Generic(c, "pulumi", s_pulumi), "pulumi");
        table.Add((in ProgramContext c) => Generic(c, c.Name, s_deploy), "cdk", "serverless", "sls", "sam");
        table.Add(Terraform, "terraform", "tofu", "terragrunt");
        table.Add(Sbatch, "sbatch");
        table.AddManual(Srun, "srun", "salloc");
    }

    private static void Aws(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_cloudNoShortValues);
        if (parsed.OperandCount < 2)
        {
            return;
        }

        var service = parsed.Operand(0);
        var operation = parsed.Operand(1);
        if (service == "s3" && operation is "cp" or "sync" or "mv" && parsed.OperandCount >= 4)
        {
            BucketCopy(context, parsed, 2, "s3://", "s3");
            return;
        }

        if (service == "s3api" && operation == "put-object" && parsed.Last("body") is { Value: { } body } bodyOption)
        {
            var remote = "s3://" + parsed.Value("bucket") + "/" + parsed.Value("key");
            context.Transfer(TransferDirection.Upload, context.SpanOf(bodyOption), "s3", localPaths: [context.Path(body)], remote: remote);
            return;
        }

        if (service == "ssm" && operation is "send-command" or "start-session")
        {
            var target = parsed.Value("instance-ids") ?? parsed.Value("target") ?? parsed.Value("targets") ?? "ssm";
            context.Remote("aws ssm", target, parsed.Value("parameters"), context.Whole);
            return;
        }

        ProvisionFromTable(context, parsed, "aws", s_aws);
    }

    /// <summary>Handles <c>cp|sync|mv SRC DST</c> where either side may be a bucket URL (<c>s3://</c>, <c>gs://</c>).</summary>
    private static void BucketCopy(in ProgramContext context, ParsedArguments parsed, int first, string scheme, string host)
    {
        var count = parsed.OperandCount;
        if (count < first + 2)
        {
            return;
        }

        var destination = parsed.Operand(count - 1);
        var span = context.OperandSpan(parsed, first, count);
        var stdinFile = context.Invocation.StdinFile;
        if (destination.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            var locals = new List<string>();
            for (var k = first; k < count - 1; k++)
            {
                var source = parsed.Operand(k);
                if (source == "-")
                {
                    if (stdinFile is not null)
                    {
                        locals.Add(stdinFile);
                    }
                }
                else if (!source.Contains("://", StringComparison.Ordinal))
                {
                    locals.Add(context.Path(source));
                }
            }

            var direction = locals.Count > 0 || (context.Invocation.StdinFromPipe && parsed.Operand(first) == "-") ? TransferDirection.Upload : TransferDirection.Unknown;
            context.Transfer(direction, span, host, localPaths: locals, remote: destination);
            return;
        }

        for (var k = first; k < count - 1; k++)
        {
            var source = parsed.Operand(k);
            if (source.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                context.Transfer(TransferDirection.Download, span, host, localPaths: destination == "-" ? [] : [context.Path(destination)], remote: source);
            }
        }
    }

    private static void Gsutil(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_gsutil);
        if (parsed.OperandCount >= 3 && parsed.Operand(0) is "cp" or "rsync" or "mv")
        {
            BucketCopy(context, parsed, 1, "gs://", "gs");
        }
    }

    private static void Gcloud(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_cloudNoShortValues);
        var first = parsed.OperandCount > 0 && parsed.Operand(0) is "alpha" or "beta" ? 1 : 0;
        if (parsed.OperandCount < first + 2)
        {
            return;
        }

        if (parsed.Operand(first) == "storage" && parsed.Operand(first + 1) is "cp" or "rsync" or "mv")
        {
            BucketCopy(context, parsed, first + 2, "gs://", "gs");
            return;
        }

        if ((parsed.Operand(first) == "compute" && parsed.OperandCount >= first + 3 && parsed.Operand(first + 1) == "ssh")
            || (parsed.OperandCount >= first + 5 && parsed.Operand(first) == "compute" && parsed.Operand(first + 1) == "tpus" && parsed.Operand(first + 2) == "tpu-vm" && parsed.Operand(first + 3) == "ssh"))
        {
            var hostOperand = parsed.Operand(first + 1) == "ssh" ? first + 2 : first + 4;
            GcloudSsh(context, parsed, hostOperand);
            return;
        }

        if (parsed.Operand(first) == "compute" && parsed.Operand(first + 1) == "scp")
        {
            TransferTools.RemoteCopy(context, parsed, null, parsed.Has("recurse"), FileAction.Copy, first + 2, "gcloud compute scp");
            return;
        }

        ProvisionFromTable(context, parsed, "gcloud", s_gcloud, first);
    }

    private static void GcloudSsh(in ProgramContext context, ParsedArguments parsed, int hostOperand)
    {
        var destination = parsed.Operand(hostOperand);
        NetworkAddresses.ParseAuthority(destination, out var host, out _);
        string? command = null;
        var span = context.SpanAt(parsed.Operands[hostOperand]);
        if (parsed.Last("command") is { Value: { } text } option)
        {
            command = text;
            span = context.SpanOf(option);
        }
        else if (parsed.DoubleDashIndex >= 0 && parsed.DoubleDashIndex + 1 < context.Count)
        {
            command = context.Join(parsed.DoubleDashIndex + 1);
            span = context.SpanOf(parsed.DoubleDashIndex + 1, context.Count - 1);
        }

        context.Remote("gcloud compute ssh", host, command, span);
        if (command is not null)
        {
            context.Shell(command, span, "gcloud compute ssh " + host);
        }
    }

    private static void Az(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_cloud);
        if (parsed.OperandCount >= 3 && parsed.Operand(0) == "storage" && parsed.Operand(1) == "blob")
        {
            var remote = parsed.Value("container-name") ?? parsed.Value("c") ?? parsed.Value("destination") ?? parsed.Value("account-name");
            switch (parsed.Operand(2))
            {
                case "upload" or "upload-batch":
                    var file = parsed.Last("file") ?? parsed.Last("f") ?? parsed.Last("source") ?? parsed.Last("s");
                    context.Transfer(TransferDirection.Upload, file is { } f ? context.SpanOf(f) : context.Whole, "azure-storage", localPaths: file?.Value is { } path ? [context.Path(path)] : [], remote: remote);
                    return;
                case "download" or "download-batch":
                    var target = parsed.Last("file") ?? parsed.Last("f") ?? parsed.Last("destination") ?? parsed.Last("d");
                    context.Transfer(TransferDirection.Download, target is { } t ? context.SpanOf(t) : context.Whole, "azure-storage", localPaths: target?.Value is { } local ? [context.Path(local)] : [], remote: parsed.Value("container-name") ?? parsed.Value("c") ?? parsed.Value("source") ?? parsed.Value("s"));
                    return;
            }
        }

        if (parsed.OperandCount >= 3 && parsed.Operand(0) == "vm" && parsed.Operand(1) == "run-command")
        {
            context.Remote("az vm run-command", parsed.Value("name") ?? parsed.Value("n") ?? "vm", parsed.Value("scripts"), context.Whole);
            return;
        }

        ProvisionFromTable(context, parsed, "az", s_az);
    }

    private static void AzCopy(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_cloudNoShortValues);
        if (parsed.OperandCount < 3 || parsed.Operand(0) is not ("copy" or "cp" or "sync"))
        {
            return;
        }

        var source = parsed.Operand(1);
        var destination = parsed.Operand(2);
        var span = context.OperandSpan(parsed, 1, 3);
        var sourceUrl = NetworkAddresses.TryParseUrl(source, out var sourceUri) && source.Contains("://", StringComparison.Ordinal);
        var destinationUrl = NetworkAddresses.TryParseUrl(destination, out var destinationUri) && destination.Contains("://", StringComparison.Ordinal);
        if (destinationUrl && !sourceUrl)
        {
            context.Transfer(TransferDirection.Upload, span, destinationUri!.Host, destinationUri.Port, [context.Path(source)], destination);
        }
        else if (sourceUrl && !destinationUrl)
        {
            context.Transfer(TransferDirection.Download, span, sourceUri!.Host, sourceUri.Port, [context.Path(destination)], source);
        }
    }

    private static void Generic(in ProgramContext context, string provider, CloudAction[] actions)
    {
        var parsed = OptionParser.Parse(context.Args, s_cloud);
        ProvisionFromTable(context, parsed, provider, actions);
    }

    private static void ProvisionFromTable(in ProgramContext context, ParsedArguments parsed, string provider, CloudAction[] actions, int first = 0)
    {
        foreach (var action in actions)
        {
            if (!Matches(parsed, action.Path, first))
            {
                continue;
            }

            string? workload = null;
            foreach (var option in action.WorkloadOptions)
            {
                if (option == "#")
                {
                    var index = first + action.Path.Length;
                    workload = parsed.OperandCount > index ? parsed.Operand(index) : null;
                }
                else
                {
                    workload = parsed.Value(option);
                }

                if (workload is not null)
                {
                    break;
                }
            }

            var span = context.OperandSpan(parsed, first, Math.Min(parsed.OperandCount, first + action.Path.Length));
            context.Provision(provider, action.Name, workload, span);
            return;
        }
    }

    private static bool Matches(ParsedArguments parsed, string[] path, int first)
    {
        if (parsed.OperandCount < first + path.Length)
        {
            return false;
        }

        for (var k = 0; k < path.Length; k++)
        {
            if (!string.Equals(parsed.Operand(first + k), path[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void Terraform(in ProgramContext context)
    {
        string? directory = null;
        for (var i = 0; i < context.Count; i++)
        {
            var arg = context[i];
            if (arg.StartsWith("-chdir=", StringComparison.Ordinal))
            {
                directory = context.Path(arg[7..]);
                continue;
            }

            if (arg.StartsWith('-'))
            {
                continue;
            }

            var isApply = arg is "apply" || (arg is "run-all" && i + 1 < context.Count && context[i + 1] == "apply");
            if (isApply)
            {
                string? plan = null;
                for (var j = i + 1; j < context.Count; j++)
                {
                    if (!context[j].StartsWith('-') && context[j] != "apply")
                    {
                        plan = context.Path(context[j]);
                        break;
                    }

                    if (context[j] is "-var" or "-var-file" or "-target" or "-state" or "-state-out" or "-backup" or "-lock-timeout" or "-parallelism")
                    {
                        j++;
                    }
                }

                context.Provision(context.Name, "apply", plan ?? directory, context.SpanAt(i));
            }

            return;
        }
    }

    private static void Sbatch(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_slurm);
        if (parsed.Last("wrap") is { Value: { } wrap } wrapOption)
        {
            context.Provision("slurm", "sbatch", wrap, context.SpanOf(wrapOption));
            context.Shell(wrap, context.SpanOf(wrapOption), "sbatch --wrap", context.Copy("sbatch", inheritStdin: false));
            return;
        }

        var script = parsed.OperandCount > 0 ? context.Path(parsed.Operand(0)) : context.Invocation.StdinFile;
        context.Provision("slurm", "sbatch", script, parsed.OperandCount > 0 ? context.SpanAt(parsed.Operands[0]) : context.Whole);
        if (parsed.OperandCount == 0 && context.Invocation.StdinText is { } text)
        {
            context.Shell(text, context.Whole, "sbatch", context.Copy("sbatch", inheritStdin: false));
        }
    }

    private static void Srun(in ProgramContext context)
    {
        var parsed = OptionParser.Parse(context.Args, s_slurm);
        var start = parsed.RestIndex;
        var hasCommand = start >= 0 && start < context.Count;
        context.Provision("slurm", context.Name, hasCommand ? context[start] : null, hasCommand ? context.SpanAt(start) : context.Whole);
        if (hasCommand)
        {
            context.RunInner(start, context.Name);
        }
        else
        {
            context.Launch();
        }
    }

    /// <summary>A provider command that creates, starts or scales compute.</summary>
    private sealed class CloudAction
    {
        /// <param name="path">The command words, for example <c>ec2 run-instances</c>.</param>
        /// <param name="workloadOptions">The options naming the workload, in order of preference (<c>#</c>: the operand after the command words).</param>
        public CloudAction(string[] path, params string[]? workloadOptions)
        {
            Path = path;
            Name = string.Join(' ', path);
            WorkloadOptions = workloadOptions ?? [];
        }

        public string[] Path { get; }

        public string Name { get; }

        public string[] WorkloadOptions { get; }
    }
}
