package io.podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} and {@code -h} with its usage and exit code 0. */
class HelpTest {

    @Test
    void everyCommandAnswersHelpWithUsageAndExitZero() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).as("the tree is walked").hasSizeGreaterThan(10);
        assertThat(paths).contains(List.of("lab", "up"), List.of("overlay", "config", "set"));
        for (List<String> path : paths) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(out));
                cl.setErr(new PrintWriter(err));
                int code = cl.execute(args.toArray(String[]::new));
                assertThat(code).as("podnet %s: %s", String.join(" ", args), err).isZero();
                String usage = ("Usage: podnet " + String.join(" ", path)).strip();
                assertThat(out.toString()).as("podnet %s", String.join(" ", args)).contains(usage).contains("--help");
            }
        }
    }

    @Test
    void subcommandsPrintTheVersion() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("lab", "up", "--version")).isZero();
        assertThat(out.toString()).contains("podnet 0.1.0");
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> into) {
        into.add(List.copyOf(path));
        for (var e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) continue; // an alias
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            collect(e.getValue(), p, into);
        }
    }
}
