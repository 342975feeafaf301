package io.podnet.cnm.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import io.podnet.net.fs.AtomicFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * JSON files under one directory: {@code networks/<id>.json}, {@code endpoints/<id>.json} and
 * {@code pools.json}, each written with {@link AtomicFile} (temp file, fsync, rename, directory fsync; without
 * {@code fsync} only the atomic rename), so a crash leaves the old or the new content, never a torn file.
 * Not thread-safe: the drivers serialise access.
 */
public final class StateDir {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Path root;
    private final boolean fsync;

    public StateDir(Path root, boolean fsync) throws IOException {
        this.root = root;
        this.fsync = fsync;
        Files.createDirectories(root.resolve("networks"));
        Files.createDirectories(root.resolve("endpoints"));
    }

    public Path root() { return root; }

    public void putNetwork(NetworkState n) throws IOException { write(root.resolve("networks").resolve(safe(n.networkId()) + ".json"), n); }

    public void deleteNetwork(String id) throws IOException { AtomicFile.delete(root.resolve("networks").resolve(safe(id) + ".json"), fsync); }

    public Map<String, NetworkState> networks() throws IOException { return readAll("networks", NetworkState.class, NetworkState::networkId); }

    public void putEndpoint(EndpointState e) throws IOException { write(root.resolve("endpoints").resolve(safe(e.endpointId()) + ".json"), e); }

    public void deleteEndpoint(String id) throws IOException { AtomicFile.delete(root.resolve("endpoints").resolve(safe(id) + ".json"), fsync); }

    public Map<String, EndpointState> endpoints() throws IOException { return readAll("endpoints", EndpointState.class, EndpointState::endpointId); }

    /** Pool reference counts by PoolID. */
    @SuppressWarnings("unchecked")
    public Map<String, Integer> pools() throws IOException {
        try {
            Map<String, Integer> m = JSON.readValue(Files.readString(root.resolve("pools.json")), TreeMap.class);
            return new TreeMap<>(m);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        }
    }

    public void putPools(Map<String, Integer> pools) throws IOException { write(root.resolve("pools.json"), new TreeMap<>(pools)); }

    /** Docker ids are hex; anything else is refused so that an id can never name a path outside the directory. */
    public static String safe(String id) {
        if (id == null || id.isEmpty() || !id.matches("[A-Za-z0-9_.-]{1,128}") || id.startsWith(".")) {
            throw new IllegalArgumentException("invalid id: " + id);
        }
        return id;
    }

    private <T> Map<String, T> readAll(String sub, Class<T> type, java.util.function.Function<T, String> key) throws IOException {
        Map<String, T> out = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(root.resolve(sub))) {
            s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
        }
        for (Path p : files) {
            T v = JSON.readValue(Files.readString(p), type);
            out.put(key.apply(v), v);
        }
        return out;
    }

    private void write(Path target, Object value) throws IOException {
        AtomicFile.write(target, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value), fsync);
    }
}
