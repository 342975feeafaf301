package io.podnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code podnet}: the one command line for podnet. */
@Command(name = "podnet", mixinStandardHelpOptions = true, version = "podnet 0.1.0",
        description = "Container networking: CNI plugin and agent, Docker driver, flannel-style overlay, calico-style L3.",
        subcommands = {AgentCommand.class, OverlayCommand.class, BgpCommand.class,
                io.podnet.cli.calico.ResourceCommands.Apply.class, io.podnet.cli.calico.ResourceCommands.Create.class,
                io.podnet.cli.calico.ResourceCommands.Replace.class, io.podnet.cli.calico.ResourceCommands.Delete.class,
                io.podnet.cli.calico.ResourceCommands.Get.class, io.podnet.cli.calico.IpamCommand.class, io.podnet.cli.calico.NodeCommand.class, io.podnet.cli.lab.LabCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
