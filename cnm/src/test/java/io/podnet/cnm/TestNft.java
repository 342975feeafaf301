package io.podnet.cnm;

import io.podnet.rtnetlink.NetNs;
import io.podnet.workload.nft.NftTable;

/**
 * {@code table inet podnet} in a test's throwaway namespace. The no-arg {@link NftTable} is the process's (main
 * thread's) namespace, i.e. the machine's real ruleset: tests must never use it.
 */
final class TestNft {
    private TestNft() {}

    static NftTable in(NetNs ns) {
        return new NftTable(ns);
    }
}
