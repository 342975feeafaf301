package io.podnet.cli.calico;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Runs a command body against the datastore; typed errors become one line on stderr and the exit code. */
final class Run {
    private Run() {}

    interface Body {
        int run(DatastoreOptions.Session s, PrintWriter out) throws Exception;
    }

    static int withSession(String command, DatastoreOptions ds, CommandLine.Model.CommandSpec spec, Body body) {
        PrintWriter err = spec.commandLine().getErr();
        try (DatastoreOptions.Session s = ds.open()) {
            int code = body.run(s, spec.commandLine().getOut());
            spec.commandLine().getOut().flush();
            return code;
        } catch (IllegalArgumentException e) { // ResourceValidationException, bad files, bad flags
            err.println("podnet " + command + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("podnet " + command + ": " + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }
}
