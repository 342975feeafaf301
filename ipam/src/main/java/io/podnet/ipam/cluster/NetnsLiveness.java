package io.podnet.ipam.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The agent's own knowledge of its workloads: on ADD the {@code podnet-calico-ipam} handler records the
 * container's network namespace path under {@code <dir>/<handle>}; a handle is live while its record exists and
 * the namespace is still there (a container removed without DEL loses its namespace). DEL forgets it.
 */
public final class NetnsLiveness implements WorkloadLiveness {
    private final Path dir;

    public NetnsLiveness(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Records the handle's namespace (atomically: temp file + rename). */
    public void record(String handle, String netns) throws IOException {
        Path tmp = Files.createTempFile(dir, ".rec-", ".tmp");
        Files.writeString(tmp, netns == null ? "" : netns, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(safe(handle)), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public void forget(String handle) throws IOException {
        Files.deleteIfExists(dir.resolve(safe(handle)));
    }

    private static String safe(String handle) {
        if (handle.contains("/") || handle.startsWith(".")) throw new IllegalArgumentException("bad handle id " + handle);
        return handle;
    }

    @Override
    public View snapshot() throws IOException {
        Set<String> live = new HashSet<>();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) continue;
                String ns = Files.readString(p, StandardCharsets.UTF_8).strip();
                if (ns.isEmpty() || Files.exists(Path.of(ns))) live.add(name);
            }
        }
        return (handle, ip, attrs) -> live.contains(handle);
    }
}
