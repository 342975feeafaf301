package io.podnet.policy.compile;

import io.podnet.net.IpFamily;
import io.podnet.policy.nft.Names;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Knobs of the compiler.
 * @param tableName   the name of podnet's policy tables ({@code inet <name>}, {@code bridge <name>})
 * @param families    the IP families the cluster uses: rules and sets are emitted for these only
 * @param passAllows  where Calico's {@code Pass} (and the end of all tiers) leads: the endpoint's profile, which
 *                    for a Kubernetes pod allows everything (true); false models endpoints without a profile
 */
public record CompileOptions(String tableName, Set<IpFamily> families, boolean passAllows) {
    public static final String DEFAULT_TABLE = "podnet-policy";
    public static final CompileOptions DEFAULTS = new CompileOptions(DEFAULT_TABLE, Set.of(IpFamily.V4, IpFamily.V6), true);

    public CompileOptions {
        Names.requireIdentifier(tableName);
        Objects.requireNonNull(families, "families");
        if (families.isEmpty()) throw new IllegalArgumentException("families must not be empty");
        families = Set.copyOf(EnumSet.copyOf(families));
    }

    public CompileOptions withFamilies(Set<IpFamily> f) {
        return new CompileOptions(tableName, f, passAllows);
    }

    public CompileOptions withTableName(String name) {
        return new CompileOptions(name, families, passAllows);
    }

    /** The families in a fixed order (IPv4 first). */
    public Iterable<IpFamily> orderedFamilies() {
        return EnumSet.copyOf(families);
    }
}
