using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

public sealed class ContainersTests
{
    private const string VllmRun = "docker run -d --gpus all -p 8001:8000 -v /models/q:/model --name replica vllm/vllm-openai --model /model";

    [Fact]
    public void Analyze_DockerRunDetached_ProvisionsListensMountsAndLaunchesDetached()
    {
        var host = Cmd.Run(VllmRun);

        host.Single<ComputeProvision>().Should().BeEquivalentTo(new { Provider = "docker", Action = "run", Workload = "vllm/vllm-openai" });
        host.Single<NetworkListen>().Port.Should().Be(8001);
        host.Single<FileOperation>().Should().BeEquivalentTo(new { Action = FileAction.Copy, Path = "container:/model", Sources = new[] { "/models/q" } });
        var detached = host.Of<ProcessLaunch>().Single(l => l.Program == "vllm/vllm-openai");
        detached.Arguments.Should().Equal("--model", "/model");
        detached.Detached.Should().BeTrue();
        detached.DetachedBy.Should().Be("docker run -d");
        host.Of<ProcessLaunch>().Should().HaveCount(2);
    }

    [Theory]
    [InlineData("docker run --rm -it ubuntu bash", "ubuntu")]
    [InlineData("docker run --name=x -e A=1 --env-file .env -w /app python:3.12 python app.py", "python:3.12")]
    [InlineData("docker run --network host --shm-size 16g ghcr.io/x/tgi:latest --model-id /data", "ghcr.io/x/tgi:latest")]
    [InlineData("docker container run --detach ollama/ollama", "ollama/ollama")]
    [InlineData("podman run -d --restart=always quay.io/a/b", "quay.io/a/b")]
    [InlineData("docker create --stop-timeout 10 alpine", "alpine")]
    [InlineData("docker run --runtime nvidia --ipc=host -u 1000 img", "img")]
    public void Analyze_DockerRunImages_AreFoundAfterValueOptions(string command, string image)
    {
        Cmd.Run(command).Single<ComputeProvision>().Workload.Should().Be(image);
    }

    [Theory]
    [InlineData("docker run -p 127.0.0.1:9000:8000 img", 9000, "127.0.0.1")]
    [InlineData("docker run --publish 8080:80/tcp img", 8080, null)]
    [InlineData("docker run -p 8000 img", null, null)]
    public void Analyze_DockerPublish_EmitsListenOnTheHostPort(string command, int? port, string? host)
    {
        var listen = Cmd.Run(command).Single<NetworkListen>();

        listen.Port.Should().Be(port);
        listen.Host.Should().Be(host);
    }

    [Theory]
    [InlineData("docker run -v myvolume:/data img")]
    [InlineData("docker run --mount type=volume,source=v,target=/data img")]
    public void Analyze_DockerNamedVolume_IsNotACopy(string command)
    {
        Cmd.Run(command).Of<FileOperation>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_DockerBindMount_IsACopyIntoTheContainer()
    {
        Cmd.Run("docker run --mount type=bind,source=/opt/agent,target=/app img").Single<FileOperation>().Sources.Should().Equal("/opt/agent");
    }

    [Fact]
    public void Analyze_DockerRestartPolicy_IsPersistence()
    {
        Cmd.Run("docker run -d --restart unless-stopped img").Single<ScheduledTask>().Mechanism.Should().Be("docker");
    }

    [Fact]
    public void Analyze_DockerRemoteHost_IsRemoteExecution()
    {
        var host = Cmd.Run("docker -H tcp://10.0.0.5:2375 run -d img");

        host.Single<RemoteExecution>().Should().BeEquivalentTo(new { Transport = "docker -H", Host = "tcp://10.0.0.5:2375" });
        host.Single<ComputeProvision>().Workload.Should().Be("img");
    }

    [Fact]
    public void Analyze_DockerExec_EmitsRemoteExecutionAndAnalysesTheCommand()
    {
        var host = Cmd.Run("docker exec -it replica python3 /app/agent.py");

        host.Single<RemoteExecution>().Should().BeEquivalentTo(new { Transport = "docker exec", Host = "replica", Command = "python3 /app/agent.py" });
        var inner = host.Of<ProcessLaunch>().Single(l => l.Program == "python3");
        inner.Script.Should().Be("/app/agent.py");
        inner.Via.Should().Be("docker exec replica");
    }

    [Fact]
    public void Analyze_DockerExecDetached_RunsDetached()
    {
        Cmd.Run("docker exec -d replica sh -c 'vllm serve /m'").ShellCalls.Should().ContainSingle().Which.Invocation.DetachedBy.Should().Be("docker exec -d");
    }

    [Theory]
    [InlineData("docker cp /models/q replica:/models", "replica:/models", "/models/q")]
    [InlineData("docker cp replica:/etc/passwd ./p", "/home/agent/p", "replica:/etc/passwd")]
    public void Analyze_DockerCp_EmitsCopy(string command, string destination, string source)
    {
        var copy = Cmd.Run(command).Single<FileOperation>();

        copy.Action.Should().Be(FileAction.Copy);
        copy.Path.Should().Be(destination);
        copy.Sources.Should().Equal(source);
    }

    [Theory]
    [InlineData("docker compose up -d", "docker", true)]
    [InlineData("docker compose -f /opt/a/compose.yml up", "docker", false)]
    [InlineData("docker-compose up -d vllm", "docker", true)]
    public void Analyze_ComposeUp_ProvisionsAndDetachesWithD(string command, string provider, bool detached)
    {
        var host = Cmd.Run(command);

        host.Single<ComputeProvision>().Should().BeEquivalentTo(new { Provider = provider, Action = "compose up" });
        host.Of<ProcessLaunch>().Any(l => l.Detached).Should().Be(detached);
    }

    [Fact]
    public void Analyze_DockerKill_SendsSignal()
    {
        Cmd.Run("docker kill guard").Single<SignalSend>().Should().BeEquivalentTo(new { Signal = "KILL", Targets = new[] { "guard" }, Program = "docker" });
    }

    [Fact]
    public void Analyze_DockerPush_IsAnUploadToTheRegistry()
    {
        var transfer = Cmd.Run("docker push ghcr.io/me/weights:latest").Single<NetworkTransfer>();

        transfer.Direction.Should().Be(TransferDirection.Upload);
        transfer.Host.Should().Be("ghcr.io");
    }

    [Theory]
    [InlineData("docker ps -a")]
    [InlineData("docker images")]
    [InlineData("docker logs -f replica")]
    public void Analyze_DockerQueries_EmitOnlyTheLaunch(string command)
    {
        Cmd.Run(command).Operations.Should().ContainSingle();
    }

    [Theory]
    [InlineData("kubectl run replica --image=vllm/vllm-openai --port=8000", "run", "vllm/vllm-openai")]
    [InlineData("kubectl run replica --image vllm/vllm-openai -- --model /m", "run", "vllm/vllm-openai")]
    [InlineData("kubectl apply -f deploy.yaml", "apply", "/home/agent/deploy.yaml")]
    [InlineData("kubectl -n ml apply -f https://h/x.yaml", "apply", "https://h/x.yaml")]
    [InlineData("kubectl create -f /tmp/pod.yaml", "create", "/tmp/pod.yaml")]
    [InlineData("kubectl create deployment r --image=img:1", "create deployment", "img:1")]
    [InlineData("kubectl scale deployment/vllm --replicas=10", "scale", "deployment/vllm")]
    [InlineData("kubectl set image deployment/vllm vllm=vllm/vllm-openai:v2", "set image", "vllm/vllm-openai:v2")]
    [InlineData("kubectl expose deployment vllm --port 8000", "expose", "deployment")]
    [InlineData("kubectl autoscale deployment vllm --max 20", "autoscale", "deployment")]
    [InlineData("kubectl rollout restart deployment/vllm", "rollout restart", "deployment/vllm")]
    public void Analyze_Kubectl_EmitsComputeProvision(string command, string action, string workload)
    {
        var provision = Cmd.Run(command).Single<ComputeProvision>();

        provision.Provider.Should().Be("kubectl");
        provision.Action.Should().Be(action);
        provision.Workload.Should().Be(workload);
    }

    [Fact]
    public void Analyze_KubectlApplyFromHereDoc_TakesTheImage()
    {
        var provision = Cmd.Run("kubectl apply -f -", stdinText: "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: \"vllm/vllm-openai\"\n").Single<ComputeProvision>();

        provision.Workload.Should().Be("vllm/vllm-openai");
    }

    [Fact]
    public void Analyze_KubectlExec_EmitsRemoteExecutionAndAnalysesTheCommand()
    {
        var host = Cmd.Run("kubectl exec -it vllm-0 -c main -- python3 -m vllm.entrypoints.openai.api_server --port 8001");

        host.Single<RemoteExecution>().Should().BeEquivalentTo(new { Transport = "kubectl exec", Host = "vllm-0" });
        var inner = host.Of<ProcessLaunch>().Single(l => l.Program == "python3");
        inner.Module.Should().Be("vllm.entrypoints.openai.api_server");
        inner.Via.Should().Be("kubectl exec vllm-0");
    }

    [Theory]
    [InlineData("kubectl cp /models/q ml/vllm-0:/models", TransferDirection.Upload, "vllm-0", "/models/q")]
    [InlineData("kubectl cp vllm-0:/models/w.bin /tmp/w.bin", TransferDirection.Download, "vllm-0", "/tmp/w.bin")]
    public void Analyze_KubectlCp_EmitsTransfer(string command, TransferDirection direction, string pod, string local)
    {
        var transfer = Cmd.Run(command).Single<NetworkTransfer>();

        transfer.Direction.Should().Be(direction);
        transfer.Host.Should().Be(pod);
        transfer.LocalPaths.Should().Equal(local);
        transfer.Program.Should().Be("kubectl cp");
    }

    [Theory]
    [InlineData("kubectl port-forward svc/vllm 8001:8000", 8001)]
    [InlineData("kubectl port-forward --address 0.0.0.0 pod/p 9000", 9000)]
    public void Analyze_KubectlPortForward_EmitsListen(string command, int port)
    {
        Cmd.Run(command).Single<NetworkListen>().Port.Should().Be(port);
    }

    [Theory]
    [InlineData("kubectl get pods -A")]
    [InlineData("kubectl logs -f vllm-0")]
    [InlineData("kubectl describe deployment vllm")]
    public void Analyze_KubectlQueries_EmitOnlyTheLaunch(string command)
    {
        Cmd.Run(command).Operations.Should().ContainSingle();
    }

    [Theory]
    [InlineData("helm install replica ./chart", "install", "./chart")]
    [InlineData("helm upgrade --install r vllm/vllm -f values.yaml --set replicas=4", "upgrade", "vllm/vllm")]
    [InlineData("helm install --generate-name oci://reg/chart", "install", "oci://reg/chart")]
    public void Analyze_Helm_EmitsComputeProvision(string command, string action, string chart)
    {
        var provision = Cmd.Run(command).Single<ComputeProvision>();

        provision.Provider.Should().Be("helm");
        provision.Action.Should().Be(action);
        provision.Workload.Should().Be(chart);
    }
}
