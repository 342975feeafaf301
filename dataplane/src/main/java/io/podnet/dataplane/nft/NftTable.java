package io.podnet.dataplane.nft;

import io.podnet.dataplane.DeltaTracker;
import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.TrackedTable;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * podnet's nft table ({@code table inet podnet}) as a dataplane table at stage NFT. Producers own chains, sets
 * and maps by name (the overlay its masquerade chain, each CNI network its own, the Docker driver its DNAT and
 * SNAT chains, policy later its sets and maps); {@link #apply()} replaces the whole table in one {@code nft -f}
 * transaction, under the table's lock, so an older script can never overwrite a newer one.
 * <pre>{@code
 * nft.setChain("cni/pods", Chain.base(NftName.derive("cni_masq_", "pods"), Hook.srcnat(), rules));
 * nft.removeChain("cni/pods", name);          // the network's last endpoint went away
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>Repair without events: nothing tells podnet that someone ran {@code nft delete table inet podnet} or flushed a
 *     chain, so the periodic resync reads the table back ({@code nft -j list table}, see {@link NftListing}) and
 *     compares hooks, rule hashes and elements with what it wants; any difference re-applies the whole table.
 *     Comparing a hash of the last script would miss edits made after it.</li>
 * <li>Whole-table transactions: one producer's change re-applies every chain. That keeps the kernel's view
 *     atomic (a packet never sees the overlay's chain without the CNI one) at the cost of one {@code nft} run per
 *     change, which is why producers change their share in one call ({@link #replaceOwned}).</li>
 * <li>References are checked when a producer changes its share: a rule naming a chain, set or map nobody
 *     defines is refused there, with an exception to that producer, instead of failing every later apply.</li>
 * <li>Two producers wanting one name get the first one's object, with a warning (names carry a producer
 *     prefix, so this is a bug).</li>
 * <li>An empty desired table is removed from the kernel.</li>
 * </ul>
 */
public final class NftTable extends TrackedTable<String, NftObserved> {
    private static final String KEY = NftRuleset.FAMILY + " " + NftRuleset.TABLE;

    private final Map<NftName, LinkedHashMap<String, Chain>> chains = new HashMap<>(); // guarded by the table lock
    private final Map<NftName, LinkedHashMap<String, NftSet>> sets = new HashMap<>();
    private final Map<NftName, LinkedHashMap<String, NftMap>> maps = new HashMap<>();
    private NftRuleset current = NftRuleset.empty();

    public NftTable(Kernel kernel, InstantSource clock) {
        super(kernel, clock, new DeltaTracker<>());
    }

    @Override
    public String name() { return "nft[" + KEY + "]"; }

    @Override
    public Stage stage() { return Stage.NFT; }

    /** {@code owner} wants chain {@code c} (replacing its earlier chain of that name). */
    public void setChain(String owner, Chain c) {
        change(() -> chains.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(owner, c));
    }

    public void removeChain(String owner, NftName name) {
        change(() -> drop(chains, name, owner));
    }

    public void setSet(String owner, NftSet s) {
        change(() -> sets.computeIfAbsent(s.name(), k -> new LinkedHashMap<>()).put(owner, s));
    }

    public void removeSet(String owner, NftName name) {
        change(() -> drop(sets, name, owner));
    }

    public void setMap(String owner, NftMap m) {
        change(() -> maps.computeIfAbsent(m.name(), k -> new LinkedHashMap<>()).put(owner, m));
    }

    public void removeMap(String owner, NftName name) {
        change(() -> drop(maps, name, owner));
    }

    /** Replaces everything {@code owner} has in the table by these chains, sets and maps, in one step. */
    public void replaceOwned(String owner, Collection<Chain> newChains, Collection<NftSet> newSets, Collection<NftMap> newMaps) {
        change(() -> {
            dropOwner(chains, owner);
            dropOwner(sets, owner);
            dropOwner(maps, owner);
            newChains.forEach(c -> chains.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(owner, c));
            newSets.forEach(s -> sets.computeIfAbsent(s.name(), k -> new LinkedHashMap<>()).put(owner, s));
            newMaps.forEach(m -> maps.computeIfAbsent(m.name(), k -> new LinkedHashMap<>()).put(owner, m));
        });
    }

    /** The ruleset the table programs now. */
    public NftRuleset desiredRuleset() {
        return withTracker(t -> current);
    }

    /** The chains {@code owner} has asked for. */
    public List<Chain> chainsOf(String owner) {
        return withTracker(t -> chains.values().stream().filter(m -> m.containsKey(owner)).map(m -> m.get(owner)).toList());
    }

    private static <T> void drop(Map<NftName, LinkedHashMap<String, T>> m, NftName name, String owner) {
        LinkedHashMap<String, T> byOwner = m.get(name);
        if (byOwner != null && byOwner.remove(owner) != null && byOwner.isEmpty()) m.remove(name);
    }

    private static <T> void dropOwner(Map<NftName, LinkedHashMap<String, T>> m, String owner) {
        m.values().forEach(byOwner -> byOwner.remove(owner));
        m.values().removeIf(Map::isEmpty);
    }

    /** Applies one producer change; if the resulting ruleset is invalid the change is undone and refused. */
    private void change(Runnable edit) {
        update(t -> {
            var savedChains = deepCopy(chains);
            var savedSets = deepCopy(sets);
            var savedMaps = deepCopy(maps);
            edit.run();
            NftRuleset next;
            try {
                next = NftRuleset.of(firsts(chains, this::warn), firsts(sets, this::warn), firsts(maps, this::warn));
            } catch (IllegalArgumentException e) {
                restore(chains, savedChains);
                restore(sets, savedSets);
                restore(maps, savedMaps);
                throw e;
            }
            current = next;
            if (next.isEmpty()) undesireLocked(t, DEFAULT_OWNER, KEY);
            else desireLocked(t, DEFAULT_OWNER, KEY, next.observed());
        });
    }

    private <T> List<T> firsts(Map<NftName, LinkedHashMap<String, T>> m, Function<Map.Entry<NftName, LinkedHashMap<String, T>>, T> pick) {
        List<T> out = new ArrayList<>();
        for (var e : m.entrySet()) out.add(pick.apply(e));
        return out;
    }

    private <T> T warn(Map.Entry<NftName, LinkedHashMap<String, T>> e) {
        if (e.getValue().size() > 1 && e.getValue().values().stream().distinct().count() > 1) {
            System.getLogger(NftTable.class.getName()).log(System.Logger.Level.WARNING,
                    "table={0}: {1} is wanted by {2}; the first one is programmed", name(), e.getKey(), e.getValue().keySet());
        }
        return e.getValue().values().iterator().next();
    }

    private static <T> Map<NftName, LinkedHashMap<String, T>> deepCopy(Map<NftName, LinkedHashMap<String, T>> m) {
        Map<NftName, LinkedHashMap<String, T>> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, new LinkedHashMap<>(v)));
        return c;
    }

    private static <T> void restore(Map<NftName, LinkedHashMap<String, T>> m, Map<NftName, LinkedHashMap<String, T>> saved) {
        m.clear();
        m.putAll(saved);
    }

    @Override
    protected Map<String, NftObserved> listOwned() throws IOException {
        Optional<NftObserved> have = kernel.listNft(NftRuleset.FAMILY, NftRuleset.TABLE);
        return have.map(o -> Map.of(KEY, o)).orElse(Map.of());
    }

    @Override
    protected void program(String key, NftObserved value) throws IOException {
        kernel.applyNft(current);
    }

    @Override
    protected void unprogram(String key, NftObserved observed) throws IOException {
        kernel.applyNft(NftRuleset.empty());
    }

    @Override
    protected String describe(String key, NftObserved value) {
        return "table " + key + " (" + value.chains().size() + " chains, " + value.sets().size() + " sets, " + value.maps().size() + " maps)";
    }
}
