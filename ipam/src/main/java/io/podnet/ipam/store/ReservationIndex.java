package io.podnet.ipam.store;

import io.podnet.ipam.Owner;
import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The in-memory view of the directory: IP → owner and container id → IPs. Not thread-safe; the store guards it. */
final class ReservationIndex {
    private final Map<IpAddress, Owner> byIp = new HashMap<>();
    private final Map<String, List<IpAddress>> byContainer = new HashMap<>();

    void put(IpAddress ip, Owner owner) {
        remove(ip);
        byIp.put(ip, owner);
        byContainer.computeIfAbsent(owner.containerId(), k -> new ArrayList<>(2)).add(ip);
    }

    void remove(IpAddress ip) {
        Owner o = byIp.remove(ip);
        if (o == null) return;
        List<IpAddress> l = byContainer.get(o.containerId());
        l.remove(ip);
        if (l.isEmpty()) byContainer.remove(o.containerId());
    }

    Optional<Owner> owner(IpAddress ip) {
        return Optional.ofNullable(byIp.get(ip));
    }

    boolean isTaken(IpAddress ip) {
        return byIp.containsKey(ip);
    }

    /** IPs held by {@code who}, including legacy id-only files of the same container. */
    List<IpAddress> ownedBy(Owner who) {
        List<IpAddress> out = new ArrayList<>();
        for (IpAddress ip : byContainer.getOrDefault(who.containerId(), List.of())) {
            if (byIp.get(ip).matches(who)) out.add(ip);
        }
        return out;
    }

    Map<IpAddress, Owner> snapshot() {
        return Map.copyOf(byIp);
    }

    int size() {
        return byIp.size();
    }

    void clear() {
        byIp.clear();
        byContainer.clear();
    }
}
