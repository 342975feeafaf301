package io.podnet.ipam.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.ipam.Owner;
import io.podnet.net.IpAddress;
import io.podnet.testkit.RunId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes against one store directory: children killed with SIGKILL at random moments never leave a
 * duplicate or lose a reported allocation; two live processes never hand out the same address.
 */
class StoreCrashIT {
    @TempDir
    Path tmp;

    static Process child(Path dir, String prefix, int max) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                StoreChild.class.getName(), dir.toString(), prefix, Integer.toString(max), "true")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Applies one reported line to the model of what must be on disk. */
    static void apply(String line, Map<String, List<IpAddress>> reported, Set<String> released) {
        String[] f = line.split(" ");
        if (f[0].equals("A")) reported.put(f[1], List.of(IpAddress.parse(f[2]), IpAddress.parse(f[3])));
        if (f[0].equals("r")) reported.remove(f[1]); // release in flight: either outcome is fine
        if (f[0].equals("R")) {
            reported.remove(f[1]);
            released.add(f[1]);
        }
    }

    @Test
    void sigkillAtRandomMomentsNeverDuplicatesOrLosesAReportedAllocation() throws Exception {
        Path dir = tmp.resolve("net");
        Random rnd = new Random();
        Map<String, List<IpAddress>> reported = new HashMap<>();
        Set<String> released = new HashSet<>();
        int runs = 8;
        for (int run = 0; run < runs; run++) {
            Process p = child(dir, RunId.prefix() + "r" + run, 100_000);
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(in.readLine()).isEqualTo("READY");
                int lines = 1 + rnd.nextInt(40);
                for (int i = 0; i < lines; i++) apply(in.readLine(), reported, released);
                LockSupport.parkNanos(rnd.nextInt(3_000_000)); // land the kill anywhere in the next operation
                p.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly it keeps our end of the pipe open
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                // lines the child printed before dying are completed operations too
                for (String l = in.readLine(); l != null; l = in.readLine()) apply(l, reported, released);
            } finally {
                p.destroyForcibly();
            }
        }
        try (LocalIpamStore s = LocalIpamStore.open(dir, true)) {
            Map<IpAddress, Owner> onDisk = s.reservations();
            for (var e : reported.entrySet()) {
                for (IpAddress ip : e.getValue()) {
                    assertThat(onDisk.get(ip)).as("reported allocation " + ip + " of " + e.getKey()).isEqualTo(new Owner(e.getKey(), "eth0"));
                }
            }
            for (String r : released) assertThat(s.addressesOf(new Owner(r, "eth0"))).as("released " + r).isEmpty();
            // every owner holds at most one address per family: no duplicate allocation survived a crash
            Map<Owner, List<IpAddress>> byOwner = new HashMap<>();
            onDisk.forEach((ip, o) -> byOwner.computeIfAbsent(o, k -> new ArrayList<>()).add(ip));
            byOwner.forEach((o, ips) -> assertThat(ips).as(o.toString()).hasSizeLessThanOrEqualTo(2));
            assertThat(s.lastScan().unknownFiles()).isEmpty();
            // the store is usable after the crashes: a fresh allocation succeeds and is unique
            var fresh = s.allocate(new Owner("after", "eth0"), StoreChildSets.sets(), List.of());
            assertThat(onDisk).doesNotContainKeys(fresh.toArray(IpAddress[]::new));
        }
    }

    @Test
    void twoProcessesSharingADirectoryGetUniqueAddresses() throws Exception {
        Path dir = tmp.resolve("shared");
        int each = 60;
        Process a = child(dir, "pa", each);
        Process b = child(dir, "pb", each);
        Map<String, List<IpAddress>> reported = new HashMap<>();
        Set<String> released = new HashSet<>();
        List<IpAddress> everHandedOutAtOnce = new ArrayList<>();
        try {
            for (Process p : List.of(a, b)) {
                try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = in.readLine(); l != null; l = in.readLine()) {
                        apply(l, reported, released);
                    }
                }
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).isZero();
            }
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
        reported.values().forEach(everHandedOutAtOnce::addAll);
        assertThat(everHandedOutAtOnce).hasSize(2 * 2 * (each - each / 3)).doesNotHaveDuplicates();
        try (LocalIpamStore s = LocalIpamStore.open(dir, true)) {
            assertThat(s.reservations()).hasSize(everHandedOutAtOnce.size());
        }
    }
}
