package io.podnet.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers decoded {@link IpamConfig}s: a runtime sends the same network config with every request, and
 * decoding it (range sets, prefixes, overlap checks, routes) costs ~0.2 ms of an ADD on a small machine, while
 * comparing it with the last one costs microseconds. Keyed by the JSON itself (Jackson trees compare by
 * value), so any change to the config is a new entry; configs that fail to decode are not kept. Bounded
 * (least recently used out); thread-safe. The caller must not modify a {@code JsonNode} after passing it in.
 */
public final class IpamConfigCache {
    /** Different network configs remembered at once. */
    public static final int CAPACITY = 64;

    private record Key(JsonNode ipam, String network, Optional<JsonNode> ipRanges) {}

    private final Map<Key, IpamConfig> decoded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, IpamConfig> eldest) {
            return size() > CAPACITY;
        }
    };

    /** {@link IpamConfig#decode}, answered from memory when the same section was decoded before. */
    public IpamConfig decode(JsonNode ipam, String network, Optional<JsonNode> ipRanges) throws IpamException {
        if (ipam == null) return IpamConfig.decode(null, network, ipRanges);
        Key k = new Key(ipam, network, ipRanges);
        synchronized (decoded) {
            IpamConfig c = decoded.get(k);
            if (c != null) return c;
        }
        IpamConfig c = IpamConfig.decode(ipam, network, ipRanges);
        synchronized (decoded) {
            decoded.put(new Key(ipam.deepCopy(), network, ipRanges.map(JsonNode::deepCopy)), c);
        }
        return c;
    }

    /** How many configs are remembered. */
    public int size() {
        synchronized (decoded) {
            return decoded.size();
        }
    }
}
