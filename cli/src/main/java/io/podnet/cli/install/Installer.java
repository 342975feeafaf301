package io.podnet.cli.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Applies an {@link InstallPlan} under a root and records every change in a manifest
 * ({@code <root>/var/lib/podnet/install-manifest.json}): the files and links it wrote with their SHA-256, the
 * directories it had to create, and any file it replaced (kept beside as {@code NAME.podnet-saved}). Uninstall
 * undoes exactly that: it removes what it wrote unless the user changed it since (then it keeps the file and
 * warns), puts replaced files back, and removes the directories it created once they are empty. A file that
 * exists with other content is never overwritten without {@code force}.
 */
public final class Installer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Installer() {}

    /** What the manifest holds. */
    public record Manifest(List<Written> files, List<String> createdDirs) {}

    /** A written entry: its path, "file" or "link", the SHA-256 of what was written (or the link target), a saved original. */
    public record Written(String path, String kind, String sha256, String saved) {}

    /** A file exists where podnet would write and holds something else. */
    public static final class ConflictException extends IOException {
        public ConflictException(String msg) { super(msg); }
    }

    public static Manifest install(Path root, InstallPlan plan, boolean force, Consumer<String> log) throws IOException {
        Path manifestPath = root.resolve(InstallPlan.MANIFEST);
        if (Files.exists(manifestPath)) throw new ConflictException("podnet is already installed under " + root + " (" + manifestPath + "); run podnet uninstall first");
        for (InstallPlan.Entry e : plan.entries()) {
            Path p = root.resolve(e.path());
            if ((Files.exists(p, LinkOption.NOFOLLOW_LINKS)) && !same(p, e) && !force) {
                throw new ConflictException(p + " exists with other content; move it away or use --force (it is then saved as "
                        + p.getFileName() + ".podnet-saved and restored by uninstall)");
            }
        }
        List<String> dirs = new ArrayList<>();
        List<Written> written = new ArrayList<>();
        for (InstallPlan.Entry e : plan.entries()) {
            Path p = root.resolve(e.path());
            mkdirs(root, p.getParent(), dirs);
            String saved = null;
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                if (same(p, e)) {
                    log.accept("unchanged (already there, left alone) " + p);
                    continue;
                }
                Path keep = p.resolveSibling(p.getFileName() + ".podnet-saved");
                Files.move(p, keep, StandardCopyOption.REPLACE_EXISTING);
                saved = root.relativize(keep).toString();
                log.accept("saved " + p + " as " + keep);
            }
            switch (e) {
                case InstallPlan.Entry.File f -> {
                    Path tmp = p.resolveSibling("." + p.getFileName() + ".podnet-tmp");
                    Files.write(tmp, f.content());
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(f.executable() ? "rwxr-xr-x" : "rw-r--r--"));
                    Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
                    written.add(new Written(e.path(), "file", sha256(f.content()), saved));
                }
                case InstallPlan.Entry.Link l -> {
                    Files.createSymbolicLink(p, Path.of(l.target()));
                    written.add(new Written(e.path(), "link", l.target(), saved));
                }
            }
            log.accept("wrote " + p);
        }
        mkdirs(root, manifestPath.getParent(), dirs);
        Manifest m = new Manifest(written, dirs);
        Files.write(manifestPath, JSON.writeValueAsBytes(m));
        return m;
    }

    /** Undoes an install; returns the paths kept because the user changed them. */
    public static List<String> uninstall(Path root, Consumer<String> log) throws IOException {
        Path manifestPath = root.resolve(InstallPlan.MANIFEST);
        if (!Files.exists(manifestPath)) throw new IOException("podnet is not installed under " + root + " (no " + manifestPath + ")");
        Manifest m = JSON.readValue(manifestPath.toFile(), Manifest.class);
        List<String> kept = new ArrayList<>();
        for (Written w : m.files()) {
            Path p = root.resolve(w.path());
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                log.accept("already gone " + p);
            } else if (unchanged(p, w)) {
                Files.delete(p);
                log.accept("removed " + p);
            } else {
                kept.add(p.toString());
                log.accept("WARNING: kept " + p + ": changed since podnet installed it");
            }
            if (w.saved() != null) {
                Path saved = root.resolve(w.saved());
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    log.accept("WARNING: " + saved + " not restored: " + p + " is still there");
                } else if (Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(saved, p);
                    log.accept("restored " + p);
                }
            }
        }
        Files.delete(manifestPath);
        List<String> dirs = new ArrayList<>(m.createdDirs());
        dirs.sort((a, b) -> Integer.compare(b.length(), a.length())); // deepest first
        for (String d : dirs) {
            Path p = root.resolve(d);
            try (var s = Files.list(p)) {
                if (s.findAny().isEmpty()) {
                    Files.delete(p);
                } else {
                    log.accept("kept directory " + p + " (not empty)");
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // already gone
            }
        }
        return kept;
    }

    private static void mkdirs(Path root, Path dir, List<String> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !Files.exists(d) && d.startsWith(root); d = d.getParent()) missing.addFirst(d);
        for (Path d : missing) {
            Files.createDirectory(d);
            created.add(root.relativize(d).toString());
        }
    }

    private static boolean same(Path p, InstallPlan.Entry e) throws IOException {
        return switch (e) {
            case InstallPlan.Entry.File f -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && sha256(Files.readAllBytes(p)).equals(sha256(f.content()));
            case InstallPlan.Entry.Link l -> Files.isSymbolicLink(p) && Files.readSymbolicLink(p).toString().equals(l.target());
        };
    }

    private static boolean unchanged(Path p, Written w) throws IOException {
        return w.kind().equals("link")
                ? Files.isSymbolicLink(p) && Files.readSymbolicLink(p).toString().equals(w.sha256())
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && sha256(Files.readAllBytes(p)).equals(w.sha256());
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
