package io.podnet.bench.cniadd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from {@code /proc/PID/stat}, which does not depend on how busy the machine is: the agent's own
 * user+system time (its threads do the netlink work, so the kernel's share of plumbing is in there) and the
 * bench JVM's reaped children (every exec'd plugin: the shim, or the reference bridge and the host-local it runs).
 * Granularity is one clock tick (10 ms), so read deltas over many operations.
 */
record CpuTime(long agentPid, long tickNanos) {

    static CpuTime of(long agentPid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        long hz;
        try {
            hz = Long.parseLong(out);
        } catch (NumberFormatException e) {
            hz = 100;
        }
        return new CpuTime(agentPid, 1_000_000_000L / hz);
    }

    /** utime+stime of the agent (ns). */
    long agent() throws IOException {
        long[] f = fields(agentPid);
        return (f[0] + f[1]) * tickNanos;
    }

    /** cutime+cstime of this JVM: every plugin process it has waited for (ns). */
    long plugins() throws IOException {
        long[] f = fields(ProcessHandle.current().pid());
        return (f[2] + f[3]) * tickNanos;
    }

    /** utime, stime, cutime, cstime (fields 14-17 of proc(5) stat; the comm may contain spaces). */
    static long[] fields(long pid) throws IOException {
        return fields(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** The same from the text of a stat file (e.g. {@code /proc/PID/task/TID/stat}). */
    static long[] fields(String s) {
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3]
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }
}
