package io.podnet.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Helpers for the peer launchers: bounded polling, kill by PID, RSS, temp-dir removal. */
public final class Daemons {
    private Daemons() {}

    /** Polls {@code ok} every 20 ms until true or the deadline passes (then throws). */
    public static void awaitTrue(String what, Duration limit, BooleanSupplier ok) {
        long end = System.nanoTime() + limit.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out after " + limit + " waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** SIGTERM to one PID, SIGKILL if it has not exited within 5 s. Never by name. */
    public static void killAndWait(long pid) {
        if (pid <= 0) return;
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
                try {
                    h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // gone or unkillable; nothing more to do
                }
            }
        });
    }

    /** Resident set size of a process in kB (VmRSS), or -1. */
    public static long rssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a daemon may still be writing its log; best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    public static Path tempDir(String tag) {
        try {
            Path d = Files.createTempDirectory(RunId.prefix() + "-" + tag + "-");
            d.toFile().setReadable(true, false);
            d.toFile().setExecutable(true, false);
            return d;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
