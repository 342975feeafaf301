package io.podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.Sh;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code podnet overlay config set|show} and {@code leases} against a throwaway etcd. */
class OverlayCommandIT {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void setShowAndListLeases() {
        Assumptions.assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        try (EtcdServer etcd = EtcdServer.launch()) {
            String ep = "--etcd-endpoints=" + etcd.clientUrl();
            Run missing = run("overlay", "config", "show", ep);
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("no overlay network config at /coreos.com/network/config");

            Run set = run("overlay", "config", "set", ep, "--network", "10.50.0.0/16", "--backend", "vxlan", "--vni", "7");
            assertThat(set.code()).as(set.err()).isZero();
            Run show = run("overlay", "config", "show", ep);
            assertThat(show.out()).contains("\"Network\":\"10.50.0.0/16\"").contains("\"SubnetLen\":24")
                    .contains("\"Type\":\"vxlan\"").contains("\"VNI\":7");

            // flannel's documented form, as etcdctl would write it, under another prefix
            Run json = run("overlay", "config", "set", ep, "--etcd-prefix", "/x/network",
                    "--json", "{\"Network\": \"10.60.0.0/16\", \"Backend\": {\"Type\": \"host-gw\"}}");
            assertThat(json.code()).as(json.err()).isZero();
            assertThat(run("overlay", "config", "show", ep, "--etcd-prefix", "/x/network").out()).contains("host-gw");

            Run bad = run("overlay", "config", "set", ep, "--network", "10.50.0.0/16", "--backend", "ipsec");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).contains("Backend.Type must be vxlan, host-gw or udp");
            assertThat(run("overlay", "config", "show", ep).out()).contains("\"VNI\":7"); // unchanged

            Run leases = run("overlay", "leases", ep);
            assertThat(leases.code()).isZero();
            assertThat(leases.out()).startsWith("SUBNET");
        }
    }
}
