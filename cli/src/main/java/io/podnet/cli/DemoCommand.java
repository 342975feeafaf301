package io.podnet.cli;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.io.PrintStream;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podnet demo}: two network namespaces joined by a veth pair, built through the rtnetlink library
 * alone, then pinged across. Everything it creates carries a random prefix and is removed at the end.
 */
@Command(name = "demo", description = "Create two namespaces joined by a veth pair through podnet's rtnetlink library and ping across.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--keep", description = "Leave the namespaces in place (delete them with `ip netns del`).")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        String prefix = "pndemo" + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
        NetNs a = NetNs.create(prefix + "-a");
        NetNs b = NetNs.create(prefix + "-b");
        try (var ha = Rtnetlink.open(a); var hb = Rtnetlink.open(b)) {
            out.printf("namespaces   %s, %s%n", a, b);
            ha.links().setUp("lo");
            hb.links().setUp("lo");
            ha.links().add(LinkAttrs.named("eth0").up(), LinkKind.Veth.peerIn("eth0", b));
            hb.links().setUp("eth0");
            out.println("veth pair    " + a + "/eth0 <-> " + b + "/eth0");
            ha.addresses().add(Address.of("eth0", "10.250.0.1/24"));
            hb.addresses().add(Address.of("eth0", "10.250.0.2/24"));
            ha.addresses().add(Address.of("lo", "10.251.1.1/32"));
            hb.routes().add(Route.via(IpPrefix.parse("10.251.1.0/24"), IpAddress.parse("10.250.0.1"), "eth0"));
            out.println("addresses    10.250.0.1/24, 10.250.0.2/24; route 10.251.1.0/24 via 10.250.0.1 in " + b);
            boolean ok = ping(b, "10.250.0.1", out) & ping(b, "10.251.1.1", out) & ping(a, "10.250.0.2", out);
            out.println(ok ? "RESULT       all pings answered" : "RESULT       some pings failed");
            return ok ? 0 : 1;
        } finally {
            if (!keep) {
                a.deleteIfPresent();
                b.deleteIfPresent();
                out.println("cleaned up   " + a + ", " + b);
            }
        }
    }

    /** Runs ping inside {@code ns}: a process started from a thread in a namespace inherits it. */
    private static boolean ping(NetNs ns, String target, PrintStream out) throws IOException {
        int rc = Namespaces.runIn(ns, () -> new ProcessBuilder("ping", "-c", "2", "-i", "0.2", "-W", "2", target)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor());
        out.printf("ping         %s -> %-12s %s%n", ns, target, rc == 0 ? "ok" : "FAILED");
        return rc == 0;
    }
}
