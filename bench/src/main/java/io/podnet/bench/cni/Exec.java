package io.podnet.bench.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs a plugin binary the way a runtime does: env + stdin, wait, capture stdout. */
final class Exec {
    private Exec() {}

    record Result(int exit, String stdout, long nanos) {}

    static Result run(List<String> cmd, Map<String, String> env, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException exitedEarly) {
                // a program that ignores stdin (e.g. /bin/true) may exit before we finish writing
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            return new Result(rc, out, System.nanoTime() - t0);
        } finally {
            p.destroyForcibly();
        }
    }

    static Result check(List<String> cmd, Map<String, String> env, String stdin) throws IOException, InterruptedException {
        Result r = run(cmd, env, stdin);
        if (r.exit != 0) throw new IllegalStateException(cmd + " failed (" + r.exit + "): " + r.stdout);
        return r;
    }

    static Map<String, String> cniEnv(String cmd, String cid) {
        return Map.of("CNI_COMMAND", cmd, "CNI_CONTAINERID", cid, "CNI_NETNS", "/dev/null", "CNI_IFNAME", "eth0",
                "CNI_PATH", "/usr/lib/cni");
    }
}
