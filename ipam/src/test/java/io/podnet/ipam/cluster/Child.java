package io.podnet.ipam.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One {@link IpamClient} process; its stdout lines are read on a thread into a queue (every line is kept). */
final class Child implements AutoCloseable {
    static final String EOF = "\u0000EOF";
    final String node;
    final String tag;
    final Process process;
    final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    Child(String etcdUrl, String prefix, String node, String tag, int count, int maxLive, String mode, long seed) throws Exception {
        this.node = node;
        this.tag = tag;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                IpamClient.class.getName(), etcdUrl, prefix, node, tag, Integer.toString(count), Integer.toString(maxLive), mode, Long.toString(seed))
                .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("target", "ipam-client-" + tag + ".err").toFile())).start();
        Thread.ofPlatform().daemon().name("child-" + tag).start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    all.add(l);
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                // process killed: what it printed is in `all`
            }
            lines.add(EOF);
        });
    }

    /** The next line, waiting up to {@code seconds}; EOF when the process ended. */
    String next(int seconds) throws InterruptedException {
        String l = lines.poll(seconds, TimeUnit.SECONDS);
        if (l == null) throw new AssertionError(tag + ": no output for " + seconds + " s");
        return l;
    }

    /** SIGKILL and wait until the output is fully read. */
    void kill() throws Exception {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        while (!next(30).equals(EOF)) { }
    }

    /** Close stdin: the child finishes its current step and exits. */
    int finish() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(120, TimeUnit.SECONDS)) throw new AssertionError(tag + " did not exit");
        while (!next(30).equals(EOF)) { }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
