/** Value types shared by every podnet module (IP addresses, prefixes, ranges, MAC addresses) and the one atomic state-file writer. */
module io.podnet.net {
    exports io.podnet.net;
    exports io.podnet.net.fs;
}
