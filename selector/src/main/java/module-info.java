/** Calico's label selector language (IP pool nodeSelector, policy selectors, BGP peer selectors). Pure: no I/O. */
module io.podnet.selector {
    exports io.podnet.selector;
}
