/** Value types shared by every podnet module: IP addresses, prefixes, ranges and MAC addresses. */
module io.podnet.net {
    exports io.podnet.net;
}
