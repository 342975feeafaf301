package io.podnet.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CNI config directory as a runtime reads it: files ending in {@code .conf}, {@code .conflist} or
 * {@code .json}, in lexical order (libcni's {@code ConfFiles} + sort); containerd, CRI-O and kubelet use the
 * first. A foreign config sorted before podnet's shadows it (the "stray 10-containerd-net.conflist" of
 * containernetworking/plugins#629); an unparsable first file breaks pod networking outright.
 */
final class CniConfCheck {
    private CniConfCheck() {}

    static boolean ours(JsonNode conf) {
        if (conf.path("type").asText("").startsWith("podnet")) return true;
        for (JsonNode p : conf.path("plugins")) if (p.path("type").asText("").startsWith("podnet")) return true;
        return false;
    }

    static String describe(JsonNode conf) {
        List<String> types = new ArrayList<>();
        if (conf.has("type")) types.add(conf.get("type").asText());
        conf.path("plugins").forEach(p -> types.add(p.path("type").asText()));
        return "network \"" + conf.path("name").asText("?") + "\", plugins " + String.join(", ", types);
    }

    static void run(NodeFacts.Files files, List<Finding> out) {
        List<NodeFacts.ConfFile> confs = files.cniConfs().stream()
                .filter(c -> c.name().endsWith(".conf") || c.name().endsWith(".conflist") || c.name().endsWith(".json"))
                .sorted(java.util.Comparator.comparing(NodeFacts.ConfFile::name)).toList();
        String dir = files.cniConfDir().toString();
        if (confs.isEmpty()) {
            out.add(Finding.warn("cni-config", "no CNI config in " + dir + ": the runtime finds no pod network", "podnet install (writes " + dir + "/10-podnet.conflist)"));
            return;
        }
        NodeFacts.ConfFile first = confs.getFirst();
        Optional<NodeFacts.ConfFile> mine = confs.stream().filter(c -> c.json().map(CniConfCheck::ours).orElse(false)).findFirst();
        if (first.json().isEmpty()) {
            out.add(Finding.error("cni-config", dir + "/" + first.name() + " sorts first and does not parse (" + first.error() + "): the runtime cannot set up pods",
                    "fix or remove " + dir + "/" + first.name()));
        } else if (mine.isEmpty()) {
            out.add(Finding.warn("cni-config", "no podnet config in " + dir + "; the runtime uses " + first.name() + " (" + describe(first.json().get()) + ")",
                    "podnet install"));
        } else if (mine.get() != first) {
            out.add(Finding.error("cni-config", first.name() + " (" + describe(first.json().get()) + ") sorts before podnet's " + mine.get().name()
                    + " in " + dir + ": the runtime uses it, not podnet", "mv " + dir + "/" + first.name() + " " + dir + "/" + first.name() + ".disabled"
                    + " (or rename podnet's to sort first, e.g. 00-podnet.conflist)"));
        } else {
            out.add(Finding.ok("cni-config", "the runtime uses " + first.name() + " (" + describe(first.json().get()) + ")"
                    + (confs.size() > 1 ? "; " + (confs.size() - 1) + " more file(s) sort after it" : "")));
        }
    }
}
