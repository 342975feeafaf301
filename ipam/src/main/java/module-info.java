/** IP address management: ranges, crash-safe local allocation store, GC. */
module io.podnet.ipam {
    requires transitive io.podnet.net;
}
