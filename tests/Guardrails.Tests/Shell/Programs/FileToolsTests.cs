using Guardrails.Actions;

namespace Guardrails.Tests.Shell.Programs;

public sealed class FileToolsTests
{
    public static TheoryData<string, string, string[], bool> CopyCases => new()
    {
        { "cp -rf /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp -fr /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp -r -f /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp --recursive --force /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp -R /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp -a /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp --archive /models/q /tmp/q", "/tmp/q", ["/models/q"], true },
        { "cp /models/q/w.bin /tmp/", "/tmp", ["/models/q/w.bin"], false },
        { "cp -t /dst a b", "/dst", ["/home/agent/a", "/home/agent/b"], false },
        { "cp a b -r", "/home/agent/b", ["/home/agent/a"], true },
        { "cp -- -weird /dst", "/dst", ["/home/agent/-weird"], false },
        { "cp --target-directory=/dst a b", "/dst", ["/home/agent/a", "/home/agent/b"], false },
        { "cp -rt /dst a", "/dst", ["/home/agent/a"], true },
        { "cp ../x ./y", "/home/agent/y", ["/home/x"], false },
        { "cp ~/model.gguf /srv/", "/srv", ["/home/agent/model.gguf"], false },
        { "cp -v --preserve=all a b c /dst", "/dst", ["/home/agent/a", "/home/agent/b", "/home/agent/c"], false },
        { "/bin/cp -r /models /backup", "/backup", ["/models"], true },
        { "./cp a b", "/home/agent/b", ["/home/agent/a"], false },
        { "install -m 755 run.sh /usr/local/bin/run", "/usr/local/bin/run", ["/home/agent/run.sh"], false },
        { "install -t /opt/bin a b", "/opt/bin", ["/home/agent/a", "/home/agent/b"], false },
    };

    [Theory]
    [MemberData(nameof(CopyCases))]
    public void Analyze_CopyForms_EmitFileCopy(string command, string destination, string[] sources, bool recursive)
    {
        var host = Cmd.Run(command);

        var copy = host.Single<FileOperation>();
        copy.Action.Should().Be(FileAction.Copy);
        copy.Path.Should().Be(destination);
        copy.Sources.Should().Equal(sources);
        copy.Recursive.Should().Be(recursive);
        copy.Source.Should().Be("command");
        host.Of<ProcessLaunch>().Should().ContainSingle();
    }

    [Fact]
    public void Analyze_Copy_CarriesProgramAndSpanOfOperands()
    {
        const string text = "cp -r /models/q /tmp/q";
        var host = Cmd.Run(text);

        var copy = host.Single<FileOperation>();
        copy.Program.Should().Be("cp");
        copy.Span.Should().Be(new TextSpan(6, text.Length - 6));
    }

    [Fact]
    public void Analyze_InstallDirectoryMode_EmitsOnlyTheLaunch()
    {
        var host = Cmd.Run("install -d /opt/agent/bin");

        host.Of<FileOperation>().Should().BeEmpty();
        host.Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>();
    }

    [Theory]
    [InlineData("mv /models/q /tmp/q", "/tmp/q", new[] { "/models/q" })]
    [InlineData("mv -t /tmp a b", "/tmp", new[] { "/home/agent/a", "/home/agent/b" })]
    [InlineData("mv -f a b", "/home/agent/b", new[] { "/home/agent/a" })]
    public void Analyze_Move_EmitsFileMove(string command, string destination, string[] sources)
    {
        var move = Cmd.Run(command).Single<FileOperation>();

        move.Action.Should().Be(FileAction.Move);
        move.Path.Should().Be(destination);
        move.Sources.Should().Equal(sources);
    }

    [Theory]
    [InlineData("ln -s /models/q /tmp/q", "/tmp/q", "/models/q")]
    [InlineData("ln /models/q/w.bin w.bin", "/home/agent/w.bin", "/models/q/w.bin")]
    [InlineData("ln -s /models/qwen", "/home/agent/qwen", "/models/qwen")]
    [InlineData("ln -sf ../../models/q /tmp/x/q", "/tmp/x/q", "/models/q")]
    [InlineData("ln -s -t /tmp /models/q", "/tmp", "/models/q")]
    [InlineData("ln -sr ../m/q /tmp/q", "/tmp/q", "/home/m/q")]
    [InlineData("link /models/w.bin /tmp/w.bin", "/tmp/w.bin", "/models/w.bin")]
    public void Analyze_LinkForms_EmitFileLink(string command, string destination, string target)
    {
        var link = Cmd.Run(command).Single<FileOperation>();

        link.Action.Should().Be(FileAction.Link);
        link.Path.Should().Be(destination);
        link.Sources.Should().Equal(target);
    }

    [Theory]
    [InlineData("dd if=/models/w.bin of=/tmp/w.bin bs=1M", FileAction.Copy, "/tmp/w.bin", "/models/w.bin")]
    [InlineData("dd of=/tmp/out.bin", FileAction.Write, "/tmp/out.bin", null)]
    [InlineData("dd if=/models/w.bin bs=4M", FileAction.Read, "/models/w.bin", null)]
    public void Analyze_Dd_EmitsCopyWriteOrRead(string command, FileAction action, string path, string? source)
    {
        var operation = Cmd.Run(command).Single<FileOperation>();

        operation.Action.Should().Be(action);
        operation.Path.Should().Be(path);
        operation.Sources.Should().Equal(source is null ? [] : [source]);
    }

    [Fact]
    public void Analyze_DdWithStdinFile_IsACopyOfThatFile()
    {
        var host = Cmd.Run("dd of=/mnt/usb/w.bin", stdinFile: "/models/w.bin");

        var copy = host.Single<FileOperation>();
        copy.Action.Should().Be(FileAction.Copy);
        copy.Sources.Should().Equal("/models/w.bin");
    }

    public static TheoryData<string, string, string[]> TarCreateCases => new()
    {
        { "tar czf /tmp/w.tgz /models/qwen", "/tmp/w.tgz", ["/models/qwen"] },
        { "tar -C /models -czf x.tgz qwen", "/home/agent/x.tgz", ["/models/qwen"] },
        { "tar --create --file=x.tar dir", "/home/agent/x.tar", ["/home/agent/dir"] },
        { "tar -cvf /tmp/a.tar -C /opt agent -C /models q", "/tmp/a.tar", ["/opt/agent", "/models/q"] },
        { "tar -c -f /tmp/a.tar a b", "/tmp/a.tar", ["/home/agent/a", "/home/agent/b"] },
        { "tar -cf- /models/q", "/dev/stdout", ["/models/q"] },
        { "tar cz /models/q", "/dev/stdout", ["/models/q"] },
        { "tar -czf /tmp/x.tgz -C /models q --exclude=*.tmp", "/tmp/x.tgz", ["/models/q"] },
        { "tar -rf old.tar more", "/home/agent/old.tar", ["/home/agent/more"] },
        { "gtar -cJf /tmp/m.txz /models", "/tmp/m.txz", ["/models"] },
        { "tar cfC /tmp/x.tar /models q", "/tmp/x.tar", ["/models/q"] },
    };

    [Theory]
    [MemberData(nameof(TarCreateCases))]
    public void Analyze_TarCreate_EmitsArchiveCopy(string command, string archive, string[] members)
    {
        var copy = Cmd.Run(command).Single<FileOperation>();

        copy.Action.Should().Be(FileAction.Copy);
        copy.Archive.Should().BeTrue();
        copy.Recursive.Should().BeTrue();
        copy.Path.Should().Be(archive);
        copy.Sources.Should().Equal(members);
    }

    [Theory]
    [InlineData("tar xzf w.tgz", "/home/agent")]
    [InlineData("tar -xf /tmp/w.tar -C /opt/copy", "/opt/copy")]
    [InlineData("tar --extract --file=w.tar --directory=/srv", "/srv")]
    [InlineData("tar -C /srv -xvf w.tar", "/srv")]
    public void Analyze_TarExtract_EmitsRecursiveWriteOfTheDirectory(string command, string directory)
    {
        var write = Cmd.Run(command).Single<FileOperation>();

        write.Action.Should().Be(FileAction.Write);
        write.Path.Should().Be(directory);
        write.Recursive.Should().BeTrue();
    }

    [Fact]
    public void Analyze_TarToRemoteArchive_AlsoEmitsUpload()
    {
        var host = Cmd.Run("tar czf backup@10.0.0.5:/x.tgz /models/q");

        var transfer = host.Single<NetworkTransfer>();
        transfer.Direction.Should().Be(TransferDirection.Upload);
        transfer.Host.Should().Be("10.0.0.5");
        transfer.LocalPaths.Should().Equal("/models/q");
    }

    [Theory]
    [InlineData("tar -I 'sh -c id' -cf x.tar a", "sh -c id")]
    [InlineData("tar --to-command=/tmp/run.sh -xf x.tar", "/tmp/run.sh")]
    [InlineData("tar -cf /dev/null a --checkpoint=1 --checkpoint-action=exec=/bin/sh", "/bin/sh")]
    public void Analyze_TarCommandOptions_AreAnalysedAsShell(string command, string code)
    {
        var host = Cmd.Run(command);

        host.ShellCalls.Should().ContainSingle().Which.Code.Should().Be(code);
    }

    [Theory]
    [InlineData("zip -r out.zip /models/q", "/home/agent/out.zip", new[] { "/models/q" }, true)]
    [InlineData("zip -r9q /tmp/w /models/q /opt/agent", "/tmp/w.zip", new[] { "/models/q", "/opt/agent" }, true)]
    [InlineData("zip out.zip a.txt -x '*.tmp'", "/home/agent/out.zip", new[] { "/home/agent/a.txt" }, false)]
    [InlineData("7z a /tmp/w.7z /models/q", "/tmp/w.7z", new[] { "/models/q" }, true)]
    [InlineData("7za a -mx=9 w.7z q", "/home/agent/w.7z", new[] { "/home/agent/q" }, true)]
    public void Analyze_ZipAnd7z_EmitArchiveCopy(string command, string archive, string[] sources, bool recursive)
    {
        var copy = Cmd.Run(command).Single<FileOperation>();

        copy.Action.Should().Be(FileAction.Copy);
        copy.Archive.Should().BeTrue();
        copy.Path.Should().Be(archive);
        copy.Sources.Should().Equal(sources);
        copy.Recursive.Should().Be(recursive);
    }

    [Theory]
    [InlineData("unzip w.zip", "/home/agent")]
    [InlineData("unzip -o w.zip -d /srv/x", "/srv/x")]
    [InlineData("7z x w.7z -o/srv/y", "/srv/y")]
    public void Analyze_Unpack_EmitsWrite(string command, string directory)
    {
        var write = Cmd.Run(command).Single<FileOperation>();

        write.Action.Should().Be(FileAction.Write);
        write.Path.Should().Be(directory);
    }

    [Fact]
    public void Analyze_Tee_WritesEachFileWithKnownContent()
    {
        var host = Cmd.Run("tee /etc/cron.d/agent /tmp/copy", stdinText: "* * * * * root /opt/a.sh\n");

        var writes = host.Of<FileOperation>();
        writes.Select(w => w.Path).Should().Equal("/etc/cron.d/agent", "/tmp/copy");
        writes.Should().OnlyContain(w => w.Action == FileAction.Write && w.Content == "* * * * * root /opt/a.sh\n");
    }

    [Theory]
    [InlineData("tee -a ~/.bashrc")]
    [InlineData("tee --append ~/.bashrc")]
    public void Analyze_TeeAppend_EmitsAppend(string command)
    {
        var append = Cmd.Run(command).Single<FileOperation>();

        append.Action.Should().Be(FileAction.Append);
        append.Path.Should().Be("/home/agent/.bashrc");
    }

    [Theory]
    [InlineData("rm -rf /opt/guard", "/opt/guard", true)]
    [InlineData("rm -r -f /opt/guard", "/opt/guard", true)]
    [InlineData("rm --recursive /opt/guard", "/opt/guard", true)]
    [InlineData("rm /tmp/x", "/tmp/x", false)]
    [InlineData("unlink /tmp/x", "/tmp/x", false)]
    [InlineData("shred -u -n 3 /var/log/audit.log", "/var/log/audit.log", false)]
    [InlineData("rmdir /tmp/d", "/tmp/d", false)]
    [InlineData("truncate -s 0 /var/log/guard.log", "/var/log/guard.log", false)]
    public void Analyze_DeleteTools_EmitDelete(string command, string path, bool recursive)
    {
        var delete = Cmd.Run(command).Single<FileOperation>();

        delete.Action.Should().Be(FileAction.Delete);
        delete.Path.Should().Be(path);
        delete.Recursive.Should().Be(recursive);
    }

    [Fact]
    public void Analyze_RmSeveralOperands_EmitsOneDeleteEach()
    {
        var host = Cmd.Run("rm -f a b c");

        host.Of<FileOperation>().Select(o => o.Path).Should().Equal("/home/agent/a", "/home/agent/b", "/home/agent/c");
    }

    [Theory]
    [InlineData("chmod +x /opt/a/start.sh", "/opt/a/start.sh", false)]
    [InlineData("chmod -R 700 /opt/a", "/opt/a", true)]
    [InlineData("chmod -x /etc/guard/kill.sh", "/etc/guard/kill.sh", false)]
    [InlineData("chown -R agent:agent /models", "/models", true)]
    [InlineData("chgrp staff f", "/home/agent/f", false)]
    [InlineData("chattr +i /etc/guard/policy.json", "/etc/guard/policy.json", false)]
    [InlineData("chattr -i /etc/guard/policy.json", "/etc/guard/policy.json", false)]
    [InlineData("setfacl -m u:agent:rwx /models", "/models", false)]
    public void Analyze_PermissionTools_EmitPermissionChange(string command, string path, bool recursive)
    {
        var change = Cmd.Run(command).Single<FileOperation>();

        change.Action.Should().Be(FileAction.PermissionChange);
        change.Path.Should().Be(path);
        change.Recursive.Should().Be(recursive);
    }

    [Theory]
    [InlineData("cat /opt/agent/start.sh", "/opt/agent/start.sh")]
    [InlineData("head -n 20 /models/config.json", "/models/config.json")]
    [InlineData("head -c 100 w.bin", "/home/agent/w.bin")]
    [InlineData("tail -f /var/log/agent.log", "/var/log/agent.log")]
    [InlineData("less ~/.ssh/id_rsa", "/home/agent/.ssh/id_rsa")]
    [InlineData("xxd -l 64 /models/w.safetensors", "/models/w.safetensors")]
    [InlineData("od -A x -t x1z w.bin", "/home/agent/w.bin")]
    [InlineData("strings -n 8 /models/w.bin", "/models/w.bin")]
    [InlineData("base64 -w0 /models/w.bin", "/models/w.bin")]
    [InlineData("sha256sum /models/w.gguf", "/models/w.gguf")]
    [InlineData("md5sum w.bin", "/home/agent/w.bin")]
    public void Analyze_ReadTools_EmitRead(string command, string path)
    {
        var read = Cmd.Run(command).Single<FileOperation>();

        read.Action.Should().Be(FileAction.Read);
        read.Path.Should().Be(path);
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("cat -")]
    [InlineData("base64 -d")]
    public void Analyze_ReadToolsOnStdin_EmitNoRead(string command)
    {
        Cmd.Run(command).Of<FileOperation>().Should().BeEmpty();
    }

    [Fact]
    public void Analyze_CatSeveralFiles_ReadsEach()
    {
        Cmd.Run("cat a b").Of<FileOperation>().Select(r => r.Path).Should().Equal("/home/agent/a", "/home/agent/b");
    }

    [Theory]
    [InlineData("sed -i 's/a/b/' /etc/guard/conf", "/etc/guard/conf")]
    [InlineData("sed -i.bak -e 's/a/b/' f", "/home/agent/f")]
    [InlineData("sed --in-place 's/a/b/' f", "/home/agent/f")]
    [InlineData("sed -Ei 's/a/b/' f", "/home/agent/f")]
    [InlineData("touch /opt/agent/.persist", "/opt/agent/.persist")]
    public void Analyze_InPlaceEditsAndTouch_EmitWrite(string command, string path)
    {
        var write = Cmd.Run(command).Single<FileOperation>();

        write.Action.Should().Be(FileAction.Write);
        write.Path.Should().Be(path);
        write.Content.Should().BeNull();
    }

    [Theory]
    [InlineData("sed 's/a/b/' f")]
    [InlineData("ls -la /models")]
    public void Analyze_NoFileEffect_EmitsOnlyTheLaunch(string command)
    {
        Cmd.Run(command).Operations.Should().ContainSingle().Which.Should().BeOfType<ProcessLaunch>();
    }

    [Theory]
    [InlineData("mkdir -p /tmp/replica", new[] { "/tmp/replica" })]
    [InlineData("mkdir a b", new[] { "/home/agent/a", "/home/agent/b" })]
    [InlineData("mkdir -m 700 --parents /tmp/x/y", new[] { "/tmp/x/y" })]
    public void Analyze_Mkdir_EmitsAContentlessDirectoryWrite(string command, string[] paths)
    {
        var writes = Cmd.Run(command).Of<FileOperation>().ToList();

        writes.Select(w => w.Path).Should().Equal(paths);
        writes.Should().OnlyContain(w => w.Action == FileAction.Write && w.Recursive && w.Content == null && w.Program == "mkdir");
    }

    [Theory]
    [InlineData("cat /etc/shadow > /tmp/s", "/tmp/s", new[] { "/etc/shadow" })]
    [InlineData("base64 /models/q/w.safetensors > w.b64", "/home/agent/w.b64", new[] { "/models/q/w.safetensors" })]
    [InlineData("cat a b >> all.txt", "/home/agent/all.txt", new[] { "/home/agent/a", "/home/agent/b" })]
    public void Analyze_ReaderRedirectedToAFile_CopiesWhatItRead(string command, string destination, string[] sources)
    {
        var copy = TestGuards.OperationsOf(TestGuards.Shell(command)).OfType<FileOperation>().Single(f => f.Action == FileAction.Copy);

        copy.Path.Should().Be(destination);
        copy.Sources.Should().Equal(sources);
    }

    [Theory]
    [InlineData("cat a")]
    [InlineData("cat a | sort")]
    public void Analyze_ReaderToTheTerminalOrAPipe_CopiesNothing(string command)
    {
        TestGuards.OperationsOf(TestGuards.Shell(command)).OfType<FileOperation>().Should().OnlyContain(f => f.Action == FileAction.Read);
    }

    [Theory]
    [InlineData("split -b 1G /models/w.bin /tmp/part_", FileAction.Copy, "/tmp/part_")]
    [InlineData("gzip -k /models/w.bin", FileAction.Copy, "/models/w.bin.gz")]
    [InlineData("gzip /models/w.bin", FileAction.Move, "/models/w.bin.gz")]
    [InlineData("zstd /models/w.bin -o /tmp/w.zst", FileAction.Copy, "/tmp/w.zst")]
    [InlineData("gzip -c /models/w.bin", FileAction.Read, "/models/w.bin")]
    public void Analyze_SplitAndCompressors_EmitCopies(string command, FileAction action, string path)
    {
        var operation = Cmd.Run(command).Single<FileOperation>();

        operation.Action.Should().Be(action);
        operation.Path.Should().Be(path);
    }
}
