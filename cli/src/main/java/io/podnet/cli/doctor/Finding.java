package io.podnet.cli.doctor;

import java.util.Optional;

/** One result of a check: what was checked, what was found, and the command that fixes it. */
public record Finding(Severity severity, String check, String message, Optional<String> fix) {

    /** OK: checked and fine; WARN: works today but will bite; ERROR: breaks traffic or pod set-up now. */
    public enum Severity { OK, WARN, ERROR }

    public static Finding ok(String check, String message) { return new Finding(Severity.OK, check, message, Optional.empty()); }

    public static Finding warn(String check, String message, String fix) { return new Finding(Severity.WARN, check, message, Optional.ofNullable(fix)); }

    public static Finding error(String check, String message, String fix) { return new Finding(Severity.ERROR, check, message, Optional.ofNullable(fix)); }

    public String render() {
        String s = String.format("  %-5s %-12s %s", severity == Severity.OK ? "ok" : severity.name(), check, message);
        return fix.map(f -> s + "\n" + " ".repeat(21) + "fix: " + f).orElse(s);
    }
}
