package io.podnet.cli.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds the native CNI plugin shim ({@code cni/src/main/c/podnet-cni.c}, forwarding only) into a bin
 * directory with the plugin names runtimes execute: podnet, podnet-ipam, podnet-flannel, podnet-calico-ipam, podnet-routed.
 */
public final class CniPlugin {
    private CniPlugin() {}

    public static void ensureBuilt(Path binDir, PrintStream out) throws IOException {
        Path main = binDir.resolve("podnet");
        Path src = binDir.getParent().getParent().resolve("src/main/c/podnet-cni.c");
        if (!Files.exists(main) || (Files.exists(src) && Files.getLastModifiedTime(src).compareTo(Files.getLastModifiedTime(main)) > 0)) {
            if (!Files.exists(src)) throw new IOException("CNI plugin not built and its source " + src + " is missing");
            Files.createDirectories(binDir);
            Lab.Result r = Lab.run(List.of("gcc", "-O2", "-Wall", "-o", main.toString(), src.toString()), Map.of(), null);
            if (!r.ok()) throw new IOException("building the CNI plugin failed: " + r.out());
            if (out != null) out.println("[lab] built CNI plugin " + main);
        }
        for (String alias : List.of("podnet-ipam", "podnet-flannel", "podnet-calico-ipam", "podnet-routed")) {
            Path a = binDir.resolve(alias);
            if (!Files.exists(a)) Files.createSymbolicLink(a, Path.of("podnet"));
        }
    }
}
