package io.podnet.bench.agentmem;

import static io.podnet.bench.agentmem.MemorySample.mib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One tab-separated line per mode in a results file, so the script (one driver run per mode, each in its own
 * namespace) can print every mode side by side at the end.
 */
final class Results {
    private static final String HEADER = "%-11s %9s %9s %9s %9s %7s %13s %11s %8s %8s  %s";

    private Results() {}

    static String row(Report r) {
        MemorySample a = r.afterPods();
        MemorySample b = r.afterChurn();
        return String.join("\t", r.mode().label, Long.toString(r.readyNanos() / 1_000_000), mib(a.rss()), mib(b.rss()),
                "%+.1f".formatted(r.growth() * 100), Long.toString(Report.targetMiB(r.mode())),
                mib(a.heapUsed()) + "/" + mib(a.heapCommitted()), mib(a.metaUsed()), mib(a.codeUsed()),
                Integer.toString(a.threads()), r.javaOpts());
    }

    static String unavailable(Mode m, String opts) {
        return String.join("\t", m.label, "-", "-", "-", "-", Long.toString(Report.targetMiB(m)), "-", "-", "-", "-", opts);
    }

    static void append(Path file, String row) throws IOException {
        Files.writeString(file, row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void printSummary(Path file) throws IOException {
        System.out.printf("%n" + HEADER + "%n", "mode", "ready ms", "RSS MiB", "after", "growth %", "target",
                "heap used/com", "metaspace", "code", "threads", "agent JVM flags added");
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t", -1);
            if (f.length < 11) continue;
            System.out.printf(HEADER + "%n", f[0], f[1], f[2], f[3], f[4], f[5].equals("-1") ? "-" : "<=" + f[5], f[6], f[7], f[8], f[9], f[10]);
        }
    }
}
