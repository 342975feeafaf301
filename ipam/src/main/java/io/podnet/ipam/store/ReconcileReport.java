package io.podnet.ipam.store;

import java.util.List;

/**
 * What a (re)scan of the directory found: reservations indexed, leftover temp files of crashed writers removed,
 * empty IP files (a crash between create and write, e.g. of host-local) removed, and unrecognised file names.
 */
public record ReconcileReport(int reservations, List<String> removedTempFiles, List<String> removedEmptyFiles,
                              List<String> unknownFiles) {
    public ReconcileReport {
        removedTempFiles = List.copyOf(removedTempFiles);
        removedEmptyFiles = List.copyOf(removedEmptyFiles);
        unknownFiles = List.copyOf(unknownFiles);
    }
}
