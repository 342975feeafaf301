/** Test-only helpers shared by every module's tests. Never a compile-scope dependency of production code. */
module io.podnet.testkit {
    requires transitive org.junit.jupiter.api;
    requires transitive com.fasterxml.jackson.databind;
    exports io.podnet.testkit;
}
