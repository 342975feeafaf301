package io.podnet.bench.cni;

import io.podnet.cni.plugin.PluginMain;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the shim command lines: the C forwarder (compiled here) and the Java main with various JVM flags. */
final class Shims {
    private Shims() {}

    static final List<String> TUNED = List.of("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto");
    /** TUNED plus one GC thread and one compiler thread: fewer threads to start on a busy node. */
    static final List<String> LEAN = List.of("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:+UseSerialGC",
            "-XX:CICompilerCount=1", "-Xss256k");

    /** Compiles cni/src/main/c/podnet-cni.c (path relative to the repo root, the working directory). */
    static Path compileC(Path into) throws IOException, InterruptedException {
        Path src = Path.of(System.getProperty("podnet.cshim.src", "cni/src/main/c/podnet-cni.c"));
        if (!Files.exists(src)) throw new IllegalStateException("run from the repo root: " + src + " not found");
        Path bin = into.resolve("podnet");
        Process p = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("gcc failed");
        return bin;
    }

    /** Where PluginMain's classes are (a jar or a classes directory); only this goes on the shim's class path. */
    static String shimClassPath() {
        try {
            return Path.of(PluginMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> javaShim(List<String> flags, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(shimClassPath());
        cmd.add(PluginMain.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
