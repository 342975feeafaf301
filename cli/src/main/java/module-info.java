/** The podnet command: agent, lab, cluster administration. */
module io.podnet.cli {
    requires io.podnet.net;
    requires io.podnet.rtnetlink;
}
