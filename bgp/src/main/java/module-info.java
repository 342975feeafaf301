/**
 * A BGP-4 speaker: wire codec, FSM, RIBs, decision process, route reflection, and a standalone route
 * reflector. Depends only on the net value types; the optional TCP-MD5 transport uses the FFM API.
 */
module io.podnet.bgp {
    requires transitive io.podnet.net;
    requires java.management; // the heap guard reads the old generation's memory pool
    exports io.podnet.bgp.message;
    exports io.podnet.bgp.fsm;
    exports io.podnet.bgp.rib;
    exports io.podnet.bgp.speaker;
    exports io.podnet.bgp.md5;
    exports io.podnet.bgp.standalone;
}
