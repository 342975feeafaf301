package io.podnet.dataplane;

import java.time.Instant;
import java.util.List;

/** One reconcile pass: the tables it applied, in order, each with its {@link ApplyResult}. */
public record ApplyReport(Instant at, List<ApplyResult> results) {

    public ApplyReport {
        results = List.copyOf(results);
    }

    /** True when every applied table succeeded. */
    public boolean ok() { return results.stream().allMatch(ApplyResult::ok); }

    /** Every failure of the pass, prefixed by its table name. */
    public List<String> failures() {
        return results.stream().flatMap(r -> r.failures().stream().map(f -> r.table() + ": " + f)).toList();
    }

    /** Names of the tables the pass applied, in order. */
    public List<String> tables() { return results.stream().map(ApplyResult::table).toList(); }
}
