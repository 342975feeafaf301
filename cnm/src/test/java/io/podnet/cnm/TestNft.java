package io.podnet.cnm;

import io.podnet.rtnetlink.NetNs;
import io.podnet.workload.nft.NftTable;

/**
 * {@code table inet podnet} in a test's throwaway namespace. Transitional: the workload module is gaining
 * {@code NftTable(NetNs)} (a table bound to its namespace; the no-arg one then means the process's namespace, so a
 * test using it would program the machine's real ruleset). Until that constructor is in every build, it is looked up
 * reflectively; the older NftTable runs {@code nft} in the calling thread's namespace, which the driver enters.
 * Replace with {@code new NftTable(ns)} once it has landed.
 */
final class TestNft {
    private TestNft() {}

    static NftTable in(NetNs ns) {
        try {
            return NftTable.class.getConstructor(NetNs.class).newInstance(ns);
        } catch (NoSuchMethodException e) {
            return new NftTable();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make an NftTable in " + ns, e);
        }
    }
}
