/** The podnet command line: agent, demo, lab and cluster administration. */
module io.podnet.cli {
    requires io.podnet.net;
    requires io.podnet.rtnetlink;
    requires io.podnet.agent;
    requires io.podnet.routed;
    requires io.podnet.bgp;
    requires io.podnet.overlay;
    requires io.podnet.datastore;
    requires io.podnet.calico;
    requires io.podnet.ipam;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    opens io.podnet.cli to info.picocli;
    opens io.podnet.cli.calico to info.picocli;
    opens io.podnet.cli.lab to info.picocli, com.fasterxml.jackson.databind;
    opens io.podnet.cli.install to com.fasterxml.jackson.databind;
}
