/** rtnetlink on Java's FFM API: namespaces, links, addresses, routes, neighbours, FDB, sysctls, link events. */
module io.podnet.rtnetlink {
    requires transitive io.podnet.net;
}
