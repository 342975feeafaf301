package io.podnet.bench.cniadd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One CNI implementation under test: the binary to exec, its CNI_PATH, its config and extra env. */
public record Plugin(String name, Path binary, String cniPath, String config, Map<String, String> extraEnv) {

    /** The outcome of one exec. */
    public record Outcome(int exit, String out, long nanos) {}

    public Outcome exec(String command, String containerId, String netns) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(binary.toString()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", cniPath);
        env.putAll(extraEnv);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(config.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        int exit = p.waitFor();
        return new Outcome(exit, new String(out, StandardCharsets.UTF_8), System.nanoTime() - t0);
    }
}
