package io.podnet.ipam.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.ipam.IpamConfig;
import io.podnet.ipam.RangeSet;
import java.util.List;
import java.util.Optional;

/** The range sets {@link StoreChild} allocates from. */
final class StoreChildSets {
    private StoreChildSets() {}

    static List<RangeSet> sets() throws Exception {
        return IpamConfig.decode(new ObjectMapper().readTree(
                "{\"ranges\":[[{\"subnet\":\"10.7.0.0/20\"}],[{\"subnet\":\"fd07::/64\"}]]}"), "n", Optional.empty()).rangeSets();
    }
}
