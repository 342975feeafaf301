package io.podnet.bench.agentmem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a running JVM's memory: /proc first (so the numbers are the process as it runs, before jcmd's attach
 * thread exists), then {@code jcmd GC.heap_info}, {@code Compiler.codecache} and {@code VM.native_memory summary}.
 */
final class Probe {
    private static final Pattern STATUS = Pattern.compile("^(VmRSS|RssAnon|RssFile|Threads):\\s+(\\d+)", Pattern.MULTILINE);
    private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final Pattern CODE = Pattern.compile("CodeCache: size=\\d+Kb,? used=(\\d+)Kb");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB", Pattern.MULTILINE);
    private static final Pattern NMT_META = Pattern.compile(
            "(Metadata|Class space):\\s*\\)\\s*\\(\\s*reserved=\\d+KB, committed=(\\d+)KB\\)\\s*\\(\\s*used=(\\d+)KB");
    private static final Pattern NMT_CLASSES = Pattern.compile("\\(classes #(\\d+)\\)");

    private final String jcmd;

    Probe(String javaHome) {
        this.jcmd = Path.of(javaHome, "bin", "jcmd").toString();
    }

    MemorySample sample(long pid) throws IOException, InterruptedException {
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        Map<String, Long> st = new TreeMap<>();
        Matcher m = STATUS.matcher(status);
        while (m.find()) st.put(m.group(1), Long.parseLong(m.group(2)));
        Map<String, Integer> names = threadNames(pid);
        int attach = names.getOrDefault("Attach Listener", 0);
        names.remove("Attach Listener");

        long heapUsed = 0;
        long heapCommitted = 0;
        Matcher h = HEAP.matcher(jcmd(pid, "GC.heap_info"));
        while (h.find()) {
            heapCommitted += Long.parseLong(h.group(1));
            heapUsed += Long.parseLong(h.group(2));
        }
        Matcher c = CODE.matcher(jcmd(pid, "Compiler.codecache"));
        long code = c.find() ? Long.parseLong(c.group(1)) : -1;

        String nmt = jcmd(pid, "VM.native_memory", "summary");
        Map<String, Long> categories = new LinkedHashMap<>();
        Matcher cat = NMT_CATEGORY.matcher(nmt);
        while (cat.find()) categories.put(cat.group(1).strip(), Long.parseLong(cat.group(2)));
        long metaUsed = 0;
        long metaCommitted = 0;
        Matcher meta = NMT_META.matcher(nmt);
        while (meta.find()) {
            metaCommitted += Long.parseLong(meta.group(2));
            metaUsed += Long.parseLong(meta.group(3));
        }
        Matcher total = NMT_TOTAL.matcher(nmt);
        Matcher classes = NMT_CLASSES.matcher(nmt);
        return new MemorySample(st.getOrDefault("VmRSS", -1L), st.getOrDefault("RssAnon", -1L), st.getOrDefault("RssFile", -1L),
                (int) (st.getOrDefault("Threads", -1L) - attach), names, heapUsed, heapCommitted, metaUsed, metaCommitted, code,
                classes.find() ? Long.parseLong(classes.group(1)) : -1, total.find() ? Long.parseLong(total.group(1)) : -1, categories);
    }

    /** Thread counts by name with digits folded to N (names are the kernel's 15-character comm). */
    static Map<String, Integer> threadNames(long pid) throws IOException {
        Map<String, Integer> byName = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "N");
                    byName.merge(name, 1, Integer::sum);
                } catch (IOException ended) {
                    // the thread ended while listing
                }
            }
        }
        return byName;
    }

    String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(jcmd, Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
