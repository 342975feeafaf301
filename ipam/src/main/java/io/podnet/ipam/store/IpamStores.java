package io.podnet.ipam.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** The open stores of one process, one per network directory (a directory must not be opened twice per JVM). */
public final class IpamStores implements AutoCloseable {
    private final ConcurrentHashMap<Path, LocalIpamStore> open = new ConcurrentHashMap<>();

    /** The store for {@code networkDir}, opened (and scanned) on first use. {@code fsync} applies on first open. */
    public LocalIpamStore get(Path networkDir, boolean fsync) throws IOException {
        try {
            return open.computeIfAbsent(networkDir.toAbsolutePath().normalize(), d -> {
                try {
                    return LocalIpamStore.open(d, fsync);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (LocalIpamStore s : open.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        open.clear();
        if (first != null) throw first;
    }
}
