package io.podnet.ipam.cni;

import io.podnet.cni.result.Dns;
import java.util.ArrayList;
import java.util.List;

/** Parses resolv.conf text into result DNS (host-local {@code resolvConf}): nameserver, domain, search, options. */
final class ResolvConf {
    private ResolvConf() {}

    static Dns parse(String text) {
        List<String> ns = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        String domain = "";
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "nameserver" -> { if (f.length > 1) ns.add(f[1]); }
                case "domain" -> { if (f.length > 1) domain = f[1]; }
                case "search" -> search.addAll(List.of(f).subList(1, f.length));
                case "options" -> options.addAll(List.of(f).subList(1, f.length));
                default -> { }
            }
        }
        return new Dns(ns, domain, search, options);
    }
}
