package io.podnet.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlankHostFixTest {
    private static String rewrite(String head) {
        return new String(BlankHostFix.rewrite(head.getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
    }

    @Test
    void anEmptyHostAsDockerdSendsItGetsAValue() {
        String docker = "POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n"
                + "Accept: application/vnd.docker.plugins.v1.2+json\r\n\r\n";
        assertThat(rewrite(docker)).isEqualTo(docker.replace("Host: \r\n", "Host: plugin\r\n"));
    }

    @Test
    void otherHeadsAreUntouched() {
        String h = "POST /x HTTP/1.1\r\nHost: example\r\nX-Host: \r\n\r\n";
        assertThat(rewrite(h)).isEqualTo(h);
        assertThat(BlankHostFix.indexOf("abc".getBytes(StandardCharsets.US_ASCII), "abcd".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    }
}
