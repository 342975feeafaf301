/** A BGP-4 speaker: wire codec, FSM, RIBs, decision process, route reflection. No kernel dependency. */
module io.podnet.bgp {
    requires transitive io.podnet.net;
}
