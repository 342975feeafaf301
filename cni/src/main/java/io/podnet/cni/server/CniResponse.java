package io.podnet.cni.server;

import io.podnet.cni.CniException;
import io.podnet.cni.CniVersion;
import io.podnet.cni.config.Json;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.ResultCodec;

/**
 * What the shim prints and exits with. Successful ADD prints a result, DEL/CHECK/GC/STATUS print nothing,
 * errors print the error JSON and exit 1 (reference skel behaviour).
 */
public record CniResponse(int exitCode, byte[] stdout, byte[] stderr) {

    public CniResponse {
        if (exitCode < 0 || exitCode > 255) throw new IllegalArgumentException("exit code out of range: " + exitCode);
        stdout = stdout.clone();
        stderr = stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    /** Success with no output (DEL, CHECK, GC, STATUS). */
    public static CniResponse ok() {
        return new CniResponse(0, new byte[0], new byte[0]);
    }

    /** Success printing {@code result} in {@code version}. */
    public static CniResponse result(CniResult result, CniVersion version) {
        return new CniResponse(0, ResultCodec.encodeBytes(result, version), new byte[0]);
    }

    /** Error result JSON on stdout, exit 1. */
    public static CniResponse error(CniException e, String cniVersion) {
        return new CniResponse(1, Json.write(ResultCodec.encodeError(e, cniVersion)), new byte[0]);
    }

    public boolean isSuccess() {
        return exitCode == 0;
    }
}
