package io.podnet.ipam.cluster;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Calico's {@code AllocationBlock} ({@code libcalico-go/lib/backend/model/block.go}), the value at
 * {@code <prefix>/ipam/v2/assignment/ipv4/block/10.0.0.0-26}. Pure and immutable: every operation returns a new
 * block with {@code sequenceNumber} bumped, and each new allocation records the block's sequence number in
 * {@code sequenceNumberForAllocation} so that a release naming an old sequence number cannot free a reused
 * address (ABA).
 *
 * @param cidr          the block's prefix
 * @param affinity      {@code host:<node>}, or null for a block without affinity
 * @param allocations   per ordinal: index into {@code attributes}, or null when free
 * @param unallocated   free ordinals in the order they are handed out (FIFO: released ordinals go last)
 * @param attributes    handle and owner attributes of allocations
 * @param sequenceNumber bumped on every write
 * @param sequenceNumberForAllocation ordinal (as a string) → sequence number of the block when it was allocated
 * @param deleted       Calico's KDD tombstone flag (always false here: deletes are CAS deletes)
 */
@JsonPropertyOrder({"cidr", "affinity", "allocations", "unallocated", "attributes", "sequenceNumber",
        "sequenceNumberForAllocation", "deleted"})
public record AllocationBlock(@JsonProperty("cidr") String cidr, @JsonProperty("affinity") String affinity,
                              @JsonProperty("allocations") List<Integer> allocations,
                              @JsonProperty("unallocated") List<Integer> unallocated,
                              @JsonProperty("attributes") List<Attribute> attributes,
                              @JsonProperty("sequenceNumber") long sequenceNumber,
                              @JsonProperty("sequenceNumberForAllocation") Map<String, Long> sequenceNumberForAllocation,
                              @JsonProperty("deleted") boolean deleted) {

    public static final String HOST_PREFIX = "host:";

    /**
     * Calico's {@code AllocationAttribute}: {@code handle_id} and the owner attributes ({@code secondary}); podnet
     * adds {@code releasedAt} (RFC 3339) to addresses cooling down after release ({@code ipCooldownSeconds}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"handle_id", "secondary", "releasedAt"})
    public record Attribute(@JsonProperty("handle_id") String handleId, @JsonProperty("secondary") Map<String, String> secondary,
                            @JsonProperty("releasedAt") String releasedAt) {
        public Attribute {
            secondary = secondary == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(secondary));
        }

        @JsonIgnore
        public boolean cooling() { return releasedAt != null; }
    }

    public AllocationBlock {
        Objects.requireNonNull(cidr, "cidr");
        allocations = Collections.unmodifiableList(new ArrayList<>(allocations == null ? List.of() : allocations));
        unallocated = Collections.unmodifiableList(new ArrayList<>(unallocated == null ? List.of() : unallocated));
        attributes = List.copyOf(attributes == null ? List.of() : attributes);
        sequenceNumberForAllocation = Collections.unmodifiableMap(new TreeMap<>(
                sequenceNumberForAllocation == null ? Map.of() : sequenceNumberForAllocation));
    }

    /** A new, empty block affine to {@code node} (or to none when null). */
    public static AllocationBlock empty(IpPrefix cidr, String node) {
        int n = size(cidr);
        List<Integer> allocs = new ArrayList<>(Collections.nCopies(n, (Integer) null));
        List<Integer> free = new ArrayList<>(n);
        for (int i = 0; i < n; i++) free.add(i);
        return new AllocationBlock(cidr.toString(), node == null ? null : HOST_PREFIX + node, allocs, free, List.of(), 0, Map.of(), false);
    }

    static int size(IpPrefix cidr) {
        int hostBits = cidr.family().bits() - cidr.length();
        if (hostBits > 16) throw new IllegalArgumentException("block " + cidr + " is larger than /" + (cidr.family().bits() - 16));
        return 1 << hostBits;
    }

    @JsonIgnore
    public IpPrefix prefix() { return IpPrefix.parse(cidr); }

    /** The node of a {@code host:} affinity. */
    @JsonIgnore
    public Optional<String> host() {
        return affinity != null && affinity.startsWith(HOST_PREFIX) ? Optional.of(affinity.substring(HOST_PREFIX.length())) : Optional.empty();
    }

    @JsonIgnore
    public int capacity() { return allocations.size(); }

    public IpAddress ipOf(int ordinal) { return prefix().first().add(ordinal); }

    /** The ordinal of {@code ip}, or -1 outside the block. */
    public int ordinalOf(IpAddress ip) {
        IpPrefix p = prefix();
        return p.contains(ip) ? (int) p.first().distanceTo(ip) : -1;
    }

    /** Addresses allocated (including those cooling down). */
    @JsonIgnore
    public int allocatedCount() { return capacity() - unallocated.size(); }

    @JsonIgnore
    public int coolingCount() {
        int c = 0;
        for (Integer a : allocations) if (a != null && attributes.get(a).cooling()) c++;
        return c;
    }

    /** No allocation at all (nothing in use, nothing cooling). */
    @JsonIgnore
    public boolean isEmpty() { return unallocated.size() == capacity(); }

    /** The attribute of an allocated ordinal. */
    public Optional<Attribute> attributeOf(int ordinal) {
        Integer a = ordinal >= 0 && ordinal < allocations.size() ? allocations.get(ordinal) : null;
        return a == null ? Optional.empty() : Optional.of(attributes.get(a));
    }

    public long sequenceOf(int ordinal) {
        return sequenceNumberForAllocation.getOrDefault(Integer.toString(ordinal), 0L);
    }

    /** Ordinals held by {@code handleId} (not counting cooling ones, which no handle holds any more). */
    public List<Integer> ordinalsOf(String handleId) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < allocations.size(); i++) {
            Integer a = allocations.get(i);
            if (a != null && !attributes.get(a).cooling() && handleId.equals(attributes.get(a).handleId())) out.add(i);
        }
        return out;
    }

    /** Free ordinals a caller could take now, after cooled-down addresses expire at {@code now}. */
    public int freeCount() { return unallocated.size(); }

    /** The result of an assignment. */
    public record Assigned(AllocationBlock block, List<IpAddress> ips) {}

    /** Takes up to {@code n} free ordinals, in {@code unallocated} order, for one handle. */
    public Assigned assign(int n, String handleId, Map<String, String> attrs) {
        Mutable m = new Mutable(this);
        List<IpAddress> ips = new ArrayList<>();
        for (int i = 0; i < n && !m.free.isEmpty(); i++) {
            int ord = m.free.removeFirst();
            m.allocate(ord, handleId, attrs);
            ips.add(ipOf(ord));
        }
        return new Assigned(m.build(), ips);
    }

    /** Takes the specific address {@code ip}; empty if it is outside the block or taken. */
    public Optional<AllocationBlock> assign(IpAddress ip, String handleId, Map<String, String> attrs) {
        int ord = ordinalOf(ip);
        if (ord < 0 || allocations.get(ord) != null) return Optional.empty();
        Mutable m = new Mutable(this);
        m.free.remove((Integer) ord);
        m.allocate(ord, handleId, attrs);
        return Optional.of(m.build());
    }

    /**
     * Releases ordinals; with {@code cooldownUntil} present they stay allocated, marked {@code releasedAt}, until
     * {@link #reclaimCooled} frees them. Ordinals already free are ignored.
     */
    public AllocationBlock release(List<Integer> ordinals, Optional<Instant> releasedAt) {
        Mutable m = new Mutable(this);
        for (int ord : ordinals) {
            Integer a = m.allocs.get(ord);
            if (a == null) continue;
            Attribute at = m.attrs.get(a);
            if (releasedAt.isPresent()) {
                if (!at.cooling()) m.setAttribute(ord, new Attribute(at.handleId(), at.secondary(), releasedAt.get().toString()));
            } else {
                m.free(ord);
            }
        }
        return m.build();
    }

    /** Frees addresses whose cooldown of {@code cooldownSeconds} since {@code releasedAt} has passed at {@code now}. */
    public AllocationBlock reclaimCooled(Instant now, int cooldownSeconds) {
        List<Integer> done = new ArrayList<>();
        for (int i = 0; i < allocations.size(); i++) {
            Integer a = allocations.get(i);
            if (a != null && attributes.get(a).cooling()
                    && !Instant.parse(attributes.get(a).releasedAt()).plusSeconds(cooldownSeconds).isAfter(now)) {
                done.add(i);
            }
        }
        return done.isEmpty() ? this : release(done, Optional.empty());
    }

    /** The same block with another affinity ({@code host:<node>} or null), sequence bumped. */
    public AllocationBlock withAffinity(String newAffinity) {
        Mutable m = new Mutable(this);
        m.affinity = newAffinity;
        return m.build();
    }

    /** Mutable working copy; {@link #build()} compacts unused attributes and bumps the sequence number. */
    private static final class Mutable {
        final AllocationBlock from;
        String affinity;
        final List<Integer> allocs;
        final List<Integer> free;
        final List<Attribute> attrs;
        final Map<String, Long> seqs;
        final long seq;

        Mutable(AllocationBlock b) {
            from = b;
            affinity = b.affinity;
            allocs = new ArrayList<>(b.allocations);
            free = new ArrayList<>(b.unallocated);
            attrs = new ArrayList<>(b.attributes);
            seqs = new LinkedHashMap<>(b.sequenceNumberForAllocation);
            seq = b.sequenceNumber + 1;
        }

        void allocate(int ord, String handleId, Map<String, String> secondary) {
            Attribute at = new Attribute(handleId, secondary, null);
            int idx = attrs.indexOf(at);
            if (idx < 0) {
                attrs.add(at);
                idx = attrs.size() - 1;
            }
            allocs.set(ord, idx);
            seqs.put(Integer.toString(ord), seq);
        }

        void setAttribute(int ord, Attribute at) {
            attrs.add(at);
            allocs.set(ord, attrs.size() - 1);
        }

        void free(int ord) {
            allocs.set(ord, null);
            free.add(ord);
            seqs.remove(Integer.toString(ord));
        }

        AllocationBlock build() {
            // drop attributes nothing points at, renumbering the rest (Calico's deleteUnusedAttributes)
            int[] remap = new int[attrs.size()];
            java.util.Arrays.fill(remap, -1);
            List<Attribute> kept = new ArrayList<>();
            for (int i = 0; i < allocs.size(); i++) {
                Integer a = allocs.get(i);
                if (a == null) continue;
                if (remap[a] < 0) {
                    remap[a] = kept.size();
                    kept.add(attrs.get(a));
                }
                allocs.set(i, remap[a]);
            }
            return new AllocationBlock(from.cidr, affinity, allocs, free, kept, seq, seqs, false);
        }
    }
}
