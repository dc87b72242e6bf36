using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

public sealed class CloudClisTests
{
    [Theory]
    [InlineData("aws s3 cp /models/q/w.bin s3://bucket/w.bin", TransferDirection.Upload, "/models/q/w.bin", "s3://bucket/w.bin")]
    [InlineData("aws s3 cp --recursive /models/q s3://bucket/q", TransferDirection.Upload, "/models/q", "s3://bucket/q")]
    [InlineData("aws --profile x s3 sync ./q s3://b/q --exclude '*.tmp'", TransferDirection.Upload, "/home/agent/q", "s3://b/q")]
    [InlineData("aws s3 mv /models/w.bin s3://b/", TransferDirection.Upload, "/models/w.bin", "s3://b/")]
    [InlineData("aws s3 cp s3://bucket/w.bin /tmp/w.bin", TransferDirection.Download, "/tmp/w.bin", "s3://bucket/w.bin")]
    [InlineData("aws s3 cp s3://bucket/q . --recursive", TransferDirection.Download, "/home/agent", "s3://bucket/q")]
    public void Analyze_AwsS3Copy_EmitsTransfer(string command, TransferDirection direction, string local, string remote)
    {
        var transfer = Cmd.Run(command).Single<NetworkTransfer>();

        transfer.Direction.Should().Be(direction);
        transfer.Program.Should().Be("aws");
        transfer.Host.Should().Be("s3");
        transfer.LocalPaths.Should().Equal(local);
        transfer.Remote.Should().Be(remote);
    }

    [Fact]
    public void Analyze_AwsS3PutObject_EmitsUploadOfTheBody()
    {
        var transfer = Cmd.Run("aws s3api put-object --bucket b --key k/w.bin --body /models/w.bin").Single<NetworkTransfer>();

        transfer.LocalPaths.Should().Equal("/models/w.bin");
        transfer.Remote.Should().Be("s3://b/k/w.bin");
    }

    [Theory]
    [InlineData("aws ec2 run-instances --image-id ami-123 --instance-type p4d.24xlarge --count 2", "ec2 run-instances", "ami-123")]
    [InlineData("aws --region us-east-1 ec2 run-instances --dry-run --image-id ami-9", "ec2 run-instances", "ami-9")]
    [InlineData("aws ec2 start-instances --instance-ids i-1", "ec2 start-instances", "i-1")]
    [InlineData("aws ec2 request-spot-instances --instance-count 4", "ec2 request-spot-instances", null)]
    [InlineData("aws lightsail create-instances --instance-names a --blueprint-id ubuntu_22", "lightsail create-instances", "ubuntu_22")]
    [InlineData("aws ecs run-task --task-definition vllm:3", "ecs run-task", "vllm:3")]
    [InlineData("aws lambda create-function --function-name f --zip-file fileb://x.zip", "lambda create-function", "f")]
    [InlineData("aws sagemaker create-endpoint --endpoint-name e --endpoint-config-name c", "sagemaker create-endpoint", "c")]
    [InlineData("aws batch submit-job --job-name j --job-definition d --job-queue q", "batch submit-job", "d")]
    [InlineData("aws eks create-nodegroup --cluster-name c --nodegroup-name gpu", "eks create-nodegroup", "gpu")]
    [InlineData("aws autoscaling set-desired-capacity --auto-scaling-group-name g --desired-capacity 10", "autoscaling set-desired-capacity", "g")]
    public void Analyze_AwsComputeCommands_EmitComputeProvision(string command, string action, string? workload)
    {
        var provision = Cmd.Run(command).Single<ComputeProvision>();

        provision.Provider.Should().Be("aws");
        provision.Action.Should().Be(action);
        provision.Workload.Should().Be(workload);
    }

    [Theory]
    [InlineData("aws s3 ls s3://b")]
    [InlineData("aws ec2 describe-instances")]
    [InlineData("aws sts get-caller-identity")]
    public void Analyze_AwsReadOnly_EmitsOnlyTheLaunch(string command)
    {
        Cmd.Run(command).Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>();
    }

    [Fact]
    public void Analyze_AwsSsmSendCommand_EmitsRemoteExecution()
    {
        var remote = Cmd.Run("aws ssm send-command --instance-ids i-1 --document-name AWS-RunShellScript --parameters commands=id").Single<RemoteExecution>();

        remote.Host.Should().Be("i-1");
        remote.Command.Should().Be("commands=id");
    }

    [Theory]
    [InlineData("gsutil cp /models/w.bin gs://b/w.bin", TransferDirection.Upload, "/models/w.bin")]
    [InlineData("gsutil -m rsync -r /models/q gs://b/q", TransferDirection.Upload, "/models/q")]
    [InlineData("gsutil cp gs://b/w.bin /tmp/", TransferDirection.Download, "/tmp")]
    [InlineData("gcloud storage cp -r /models/q gs://b/q", TransferDirection.Upload, "/models/q")]
    public void Analyze_GoogleStorageCopy_EmitsTransfer(string command, TransferDirection direction, string local)
    {
        var transfer = Cmd.Run(command).Single<NetworkTransfer>();

        transfer.Direction.Should().Be(direction);
        transfer.Host.Should().Be("gs");
        transfer.LocalPaths.Should().Equal(local);
    }

    [Theory]
    [InlineData("gcloud compute instances create replica-1 --zone us-central1-a --machine-type a2-highgpu-1g --image-family pytorch", "gcloud", "compute instances create", "pytorch")]
    [InlineData("gcloud beta compute instances create r --preemptible --image img-1", "gcloud", "compute instances create", "img-1")]
    [InlineData("gcloud run deploy svc --image us-docker.pkg.dev/p/vllm:latest --gpu 1", "gcloud", "run deploy", "us-docker.pkg.dev/p/vllm:latest")]
    [InlineData("gcloud container clusters resize c --num-nodes 10", "gcloud", "container clusters resize", null)]
    [InlineData("gcloud compute tpus tpu-vm create t --version v2-alpha", "gcloud", "compute tpus tpu-vm create", "v2-alpha")]
    [InlineData("gcloud ai endpoints deploy-model 123 --model m1 --region r", "gcloud", "ai endpoints deploy-model", "m1")]
    [InlineData("az vm create -g rg -n vm1 --image Ubuntu2204 --size Standard_NC24", "az", "vm create", "Ubuntu2204")]
    [InlineData("az aks scale -g rg -n k --node-count 20", "az", "aks scale", null)]
    [InlineData("az container create -g rg -n c --image vllm/vllm-openai", "az", "container create", "vllm/vllm-openai")]
    [InlineData("az ml online-endpoint create -f ep.yml", "az", "ml online-endpoint create", null)]
    [InlineData("doctl compute droplet create d1 --image ubuntu-22-04-x64 --size g-8vcpu", "digitalocean", "compute droplet create", "ubuntu-22-04-x64")]
    [InlineData("linode-cli linodes create --type g1-gpu --image linode/ubuntu22.04", "linode", "linodes create", "linode/ubuntu22.04")]
    [InlineData("hcloud server create --name r --type cx51 --image ubuntu-22.04", "hetzner", "server create", "ubuntu-22.04")]
    [InlineData("vastai create instance 123 --image vllm/vllm-openai --disk 100", "vastai", "create instance", "vllm/vllm-openai")]
    [InlineData("runpodctl create pod --name r --imageName runpod/pytorch --gpuType A100", "runpod", "create pod", "runpod/pytorch")]
    [InlineData("sky launch -c replica task.yaml", "skypilot", "launch", "task.yaml")]
    [InlineData("modal deploy serve.py", "modal", "deploy", "serve.py")]
    [InlineData("pulumi up --yes --stack prod", "pulumi", "up", "prod")]
    public void Analyze_CloudProvisioning_EmitsComputeProvision(string command, string provider, string action, string? workload)
    {
        var provision = Cmd.Run(command).Single<ComputeProvision>();

        provision.Provider.Should().Be(provider);
        provision.Action.Should().Be(action);
        provision.Workload.Should().Be(workload);
    }

    [Theory]
    [InlineData("terraform apply", "terraform")]
    [InlineData("terraform apply -auto-approve", "terraform")]
    [InlineData("terraform -chdir=infra apply -auto-approve -var 'n=3'", "terraform")]
    [InlineData("tofu apply plan.out", "tofu")]
    public void Analyze_TerraformApply_EmitsComputeProvision(string command, string provider)
    {
        var provision = Cmd.Run(command).Single<ComputeProvision>();

        provision.Provider.Should().Be(provider);
        provision.Action.Should().Be("apply");
    }

    [Theory]
    [InlineData("terraform plan")]
    [InlineData("terraform init")]
    [InlineData("gcloud compute instances list")]
    [InlineData("az account show")]
    public void Analyze_CloudReadOnly_EmitsNoProvision(string command)
    {
        Cmd.Run(command).Of<ComputeProvision>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("gcloud compute ssh replica-1 --zone z --command 'nohup python3 agent.py &'", "nohup python3 agent.py &")]
    [InlineData("gcloud compute ssh replica-1 --zone z -- ls /models", "ls /models")]
    public void Analyze_GcloudComputeSsh_EmitsRemoteExecutionAndShell(string command, string remoteCommand)
    {
        var host = Cmd.Run(command);

        host.Single<RemoteExecution>().Should().BeEquivalentTo(new { Transport = "gcloud compute ssh", Host = "replica-1", Command = remoteCommand });
        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be(remoteCommand);
    }

    [Fact]
    public void Analyze_GcloudComputeScp_EmitsUpload()
    {
        var transfer = Cmd.Run("gcloud compute scp --recurse /models/q replica-1:/srv --zone z").Single<NetworkTransfer>();

        transfer.Direction.Should().Be(TransferDirection.Upload);
        transfer.Host.Should().Be("replica-1");
    }

    [Theory]
    [InlineData("az storage blob upload --account-name a -c weights -f /models/w.bin -n w.bin", TransferDirection.Upload, "/models/w.bin")]
    [InlineData("az storage blob upload-batch -d weights -s /models/q", TransferDirection.Upload, "/models/q")]
    [InlineData("az storage blob download -c weights -n w.bin -f /tmp/w.bin", TransferDirection.Download, "/tmp/w.bin")]
    public void Analyze_AzStorageBlob_EmitsTransfer(string command, TransferDirection direction, string local)
    {
        var transfer = Cmd.Run(command).Single<NetworkTransfer>();

        transfer.Direction.Should().Be(direction);
        transfer.Host.Should().Be("azure-storage");
        transfer.LocalPaths.Should().Equal(local);
    }

    [Fact]
    public void Analyze_AzCopy_EmitsUploadToTheBlobHost()
    {
        var transfer = Cmd.Run("azcopy copy /models/q 'https://acct.blob.core.windows.net/c?sv=x' --recursive").Single<NetworkTransfer>();

        transfer.Direction.Should().Be(TransferDirection.Upload);
        transfer.Host.Should().Be("acct.blob.core.windows.net");
    }

    [Fact]
    public void Analyze_Sbatch_EmitsProvisionWithTheScript()
    {
        var provision = Cmd.Run("sbatch --gres=gpu:8 -N 2 serve.sh").Single<ComputeProvision>();

        provision.Should().BeEquivalentTo(new { Provider = "slurm", Action = "sbatch", Workload = "/home/agent/serve.sh" });
    }

    [Fact]
    public void Analyze_SbatchWrap_AnalysesTheWrappedCommand()
    {
        var host = Cmd.Run("sbatch --wrap 'python3 -m vllm.entrypoints.openai.api_server'");

        host.ShellCalls.Should().ContainSingle().Which.Invocation.DetachedBy.Should().Be("sbatch");
    }

    [Fact]
    public void Analyze_Srun_ProvisionsAndRunsTheInnerCommand()
    {
        var host = Cmd.Run("srun -N 1 --gres=gpu:1 python3 serve.py");

        host.Single<ComputeProvision>().Action.Should().Be("srun");
        host.Single<ProcessLaunch>().Should().BeEquivalentTo(new { Program = "python3", Script = "/home/agent/serve.py", Via = "srun" });
    }
}
