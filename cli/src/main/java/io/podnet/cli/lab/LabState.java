package io.podnet.cli.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.podnet.net.fs.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a lab consists of, persisted as JSON in the lab directory. Mutable, owned by one Lab. */
public final class LabState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String name;
    public String prefix;
    public String mode;
    public String dir;
    public long etcdPid;
    public String etcdUrl;
    public int nextNode = 1;
    public List<Node> nodes = new ArrayList<>();

    /** One node: its namespace, underlay address, agent process and pods. */
    public static final class Node {
        public String name;
        public String ns;
        public String ip;
        public long agentPid;
        public String socket;
        public List<Pod> pods = new ArrayList<>();
    }

    /** One pod: its namespace and the address CNI gave it. */
    public static final class Pod {
        public String name;
        public String ns;
        public String ip;
        public String node;
    }

    public Node node(String name) {
        return nodes.stream().filter(n -> n.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name + " in lab " + this.name));
    }

    public List<Pod> pods() {
        List<Pod> out = new ArrayList<>();
        nodes.forEach(n -> out.addAll(n.pods));
        return out;
    }

    public void save() throws IOException {
        AtomicFile.write(Path.of(dir, "state.json"), JSON.writeValueAsBytes(this));
    }

    public static LabState load(Path dir) throws IOException {
        Path p = dir.resolve("state.json");
        if (!Files.exists(p)) throw new IOException("no lab at " + dir + " (run `podnet lab up` first)");
        return JSON.readValue(p.toFile(), LabState.class);
    }
}
