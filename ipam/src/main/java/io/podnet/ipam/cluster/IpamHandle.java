package io.podnet.ipam.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calico's {@code IPAMHandle} at {@code <prefix>/ipam/v2/handle/<handleID>}: how many addresses the handle holds in
 * each block ({@code {"block":{"10.0.0.0/26":1},"deleted":false}}), the index a release by handle reads.
 */
@JsonPropertyOrder({"block", "deleted"})
public record IpamHandle(@JsonProperty("block") Map<String, Integer> block, @JsonProperty("deleted") boolean deleted) {
    public IpamHandle {
        block = Collections.unmodifiableMap(new TreeMap<>(block == null ? Map.of() : block));
    }

    public static final IpamHandle EMPTY = new IpamHandle(Map.of(), false);

    /** {@code n} more addresses in {@code blockCidr} (negative to release); a count reaching 0 is removed. */
    public IpamHandle add(String blockCidr, int n) {
        Map<String, Integer> m = new TreeMap<>(block);
        int c = m.getOrDefault(blockCidr, 0) + n;
        if (c <= 0) m.remove(blockCidr);
        else m.put(blockCidr, c);
        return new IpamHandle(m, false);
    }

    public int total() {
        return block.values().stream().mapToInt(Integer::intValue).sum();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() { return block.isEmpty(); }
}
