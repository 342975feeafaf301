/** Benchmark drivers (not tests): JMH and end-to-end comparisons against reference tools. */
open module io.podnet.bench {
    requires io.podnet.net;
    requires io.podnet.rtnetlink;
    requires io.podnet.datastore;
    requires io.podnet.bgp;
    requires io.podnet.cni;
    requires io.podnet.ipam;
    requires io.podnet.policy;
    requires io.podnet.testkit;
    requires jmh.core;
}
