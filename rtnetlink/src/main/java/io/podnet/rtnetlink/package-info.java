/** rtnetlink on Java's FFM API: namespaces, links, addresses, routes, neighbours, FDB, sysctls, link events. */
package io.podnet.rtnetlink;
