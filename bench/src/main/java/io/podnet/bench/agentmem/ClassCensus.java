package io.podnet.bench.agentmem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classes loaded per library, from the agent's {@code -Xlog:class+load} file: each line names its source (the
 * CDS archive, a {@code jrt:/} module, a jar, or a generated class). Jars are grouped by family (netty, grpc,
 * vertx, jetty, jackson, jetcd, protobuf, podnet ...), JDK classes by module.
 */
final class ClassCensus {
    private static final Pattern SOURCE = Pattern.compile(" source: (.+)$");
    private static final Pattern JAR = Pattern.compile("([^/]+?)(-\\d[^/]*)?\\.jar$");

    private ClassCensus() {}

    /** The JVM flag that writes the log this reads. */
    static String flag(Path file) { return "-Xlog:class+load=info:file=" + file; }

    static Map<String, Integer> count(Path file) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = SOURCE.matcher(line);
            if (m.find()) out.merge(family(m.group(1)), 1, Integer::sum);
        }
        return out;
    }

    static String family(String source) {
        if (source.equals("shared objects file")) return "JDK (CDS archive)";
        if (source.startsWith("jrt:/")) return "JDK " + source.substring(5);
        Matcher j = JAR.matcher(source);
        if (j.find()) {
            String name = j.group(1);
            if (name.startsWith("podnet-")) return name;
            if (name.equals("listenablefuture") || name.equals("failureaccess")) return "guava";
            int dash = name.indexOf('-');
            return dash > 0 ? name.substring(0, dash) : name;
        }
        return "generated (lambdas, proxies, hidden)";
    }
}
