package io.podnet.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShimFramesTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] request(Map<String, String> env, byte[] stdin) throws IOException {
        var out = new ByteArrayOutputStream();
        ShimFrames.writeRequest(Channels.newChannel(out), env, stdin);
        return out.toByteArray();
    }

    @Test
    void requestBytesAreExactlyAsDocumented() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "DEL");
        env.put("PODNET_PLUGIN", "podnet");
        byte[] b = request(env, "{}".getBytes());
        assertThat(HEX.formatHex(b)).isEqualTo(
                "504e4331"                                           // "PNC1"
                + "00000025"                                         // env length 37
                + HEX.formatHex("CNI_COMMAND=DEL\0PODNET_PLUGIN=podnet\0".getBytes())
                + "00000002" + "7b7d");                              // stdin "{}"
        var back = ShimFrames.readRequest(Channels.newChannel(new ByteArrayInputStream(b)));
        assertThat(back.env).isEqualTo(env);
        assertThat(back.stdin).isEqualTo("{}".getBytes());
    }

    @Test
    void responseBytesAreExactlyAsDocumented() throws Exception {
        var out = new ByteArrayOutputStream();
        ShimFrames.writeResponse(Channels.newChannel(out), 1, "x".getBytes(), new byte[0]);
        assertThat(HEX.formatHex(out.toByteArray())).isEqualTo("504e5231" + "00000001" + "00000001" + "78" + "00000000");
        var r = ShimFrames.readResponse(Channels.newChannel(new ByteArrayInputStream(out.toByteArray())));
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.stdout).isEqualTo("x".getBytes());
        assertThat(r.stderr).isEmpty();
    }

    @Test
    void malformedFramesAreIoErrors() {
        assertThatThrownBy(() -> ShimFrames.readRequest(Channels.newChannel(new ByteArrayInputStream(HEX.parseHex("504e5232")))))
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> ShimFrames.readRequest(Channels.newChannel(new ByteArrayInputStream(HEX.parseHex("504e4331" + "01000001")))))
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> ShimFrames.readRequest(Channels.newChannel(new ByteArrayInputStream(HEX.parseHex("504e4331" + "00000005" + "41")))))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> ShimFrames.readRequest(Channels.newChannel(new ByteArrayInputStream(HEX.parseHex("504e4331" + "00000001" + "41" + "00000000")))))
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> ShimFrames.readRequest(Channels.newChannel(new ByteArrayInputStream(HEX.parseHex("504e4331" + "00000002" + "4100" + "00000000")))))
                .hasMessageContaining("'='");
    }

    @Test
    void shimHelpersReadTheVersionAndEscapeJson() {
        assertThat(PluginMain.cniVersion("{ \"name\":\"x\", \"cniVersion\" :\n \"0.4.0\"}".getBytes())).isEqualTo("0.4.0");
        assertThat(PluginMain.cniVersion("{\"cniVersion\":\"1.0.0\\\"}".getBytes())).isEmpty();
        assertThat(PluginMain.cniVersion("{\"cniVersion\":1}".getBytes())).isEmpty();
        assertThat(PluginMain.cniVersion(new byte[0])).isEmpty();
        assertThat(PluginMain.escape(new StringBuilder(), "a\"b\\c\n").toString()).isEqualTo("a\\\"b\\\\c\\u000a");
        assertThat(PluginMain.forwardedEnv(Map.of("CNI_COMMAND", "ADD", "HOME", "/root"), null))
                .containsOnlyKeys("CNI_COMMAND", "PODNET_PLUGIN").containsEntry("PODNET_PLUGIN", "podnet");
    }
}
