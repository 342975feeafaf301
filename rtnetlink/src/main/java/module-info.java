/**
 * rtnetlink on Java's FFM API (no JNI, no JNA): namespaces, links, addresses, routes, neighbours, FDB,
 * sysctls and link events. Run with {@code --enable-native-access=io.podnet.rtnetlink}.
 */
module io.podnet.rtnetlink {
    requires transitive io.podnet.net;
    exports io.podnet.rtnetlink;
    exports io.podnet.rtnetlink.message;
    // raw libc calls: only the udp TUN engine (file descriptors, ioctls) needs them beside rtnetlink itself
    exports io.podnet.rtnetlink.sys to io.podnet.overlay;
}
