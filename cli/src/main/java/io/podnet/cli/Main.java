package io.podnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code podnet}: the one command line for podnet. */
@Command(name = "podnet", mixinStandardHelpOptions = true, version = "podnet 0.1.0",
        description = "Container networking: CNI plugin and agent, Docker driver, flannel-style overlay, calico-style L3.",
        subcommands = {AgentCommand.class, OverlayCommand.class, BgpCommand.class, io.podnet.cli.lab.LabCommand.class, DemoCommand.class,
                ExplainCommand.class, DoctorCommand.class, InstallCommand.class, InstallCommand.Uninstall.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The whole command tree, with {@code -h/--help} and {@code -V/--version} on every command and subcommand
     * (set here once, so a command added later cannot forget them).
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        withStandardHelp(cl);
        return cl;
    }

    private static void withStandardHelp(CommandLine cl) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        // `podnet help` brings its own -h; every other command gets the standard pair
        if (!spec.mixinStandardHelpOptions() && spec.findOption("--help") == null) spec.mixinStandardHelpOptions(true);
        if (spec.version().length == 0 && spec.parent() != null) spec.version(spec.parent().version());
        for (CommandLine sub : cl.getSubcommands().values()) withStandardHelp(sub);
    }
}
