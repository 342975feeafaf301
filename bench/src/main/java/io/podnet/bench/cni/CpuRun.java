package io.podnet.bench.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny native wrapper ({@code cpurun}, compiled here) that execs a command and reports its wall time and the
 * CPU time it used (user + system, all threads, from wait4 rusage, microseconds). CPU time is what start-up
 * costs independently of how busy the machine is; wall time on a loaded 2-CPU VM is mostly queueing.
 */
final class CpuRun {
    private static final String SOURCE = """
            #include <stdio.h>
            #include <sys/resource.h>
            #include <sys/wait.h>
            #include <time.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                if (argc < 3) return 2;
                struct timespec a, b;
                clock_gettime(CLOCK_MONOTONIC, &a);
                pid_t p = fork();
                if (p == 0) { execv(argv[2], argv + 2); _exit(127); }
                int st; struct rusage ru;
                wait4(p, &st, 0, &ru);
                clock_gettime(CLOCK_MONOTONIC, &b);
                FILE *f = fopen(argv[1], "w");
                fprintf(f, "%ld %ld %ld\\n", (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000,
                        ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec, ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
                fclose(f);
                return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
            }
            """;

    private final Path binary;
    private final Path report;

    private CpuRun(Path binary, Path report) {
        this.binary = binary;
        this.report = report;
    }

    static CpuRun build(Path dir) throws IOException, InterruptedException {
        Path src = dir.resolve("cpurun.c");
        Files.writeString(src, SOURCE);
        Path bin = dir.resolve("cpurun");
        Process p = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("gcc failed for cpurun");
        return new CpuRun(bin, dir.resolve("cpurun.out"));
    }

    List<String> wrap(List<String> cmd) {
        List<String> out = new ArrayList<>(List.of(binary.toString(), report.toString()));
        out.addAll(cmd);
        return out;
    }

    /** {wallMicros, cpuMicros} of the last wrapped run. */
    long[] last() throws IOException {
        String[] f = Files.readString(report).strip().split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]) + Long.parseLong(f[2])};
    }
}
