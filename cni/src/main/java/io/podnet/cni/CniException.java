package io.podnet.cni;

/**
 * A CNI error result: {@code {"cniVersion", "code", "msg", "details"}} (SPEC.md "Error"). The message is
 * {@code msg}; {@code details} is optional longer text (empty when absent).
 */
public final class CniException extends Exception {

    private final int code;
    private final String details;

    public CniException(int code, String msg, String details) {
        super(msg == null ? "" : msg);
        if (code < 0) throw new IllegalArgumentException("CNI error code must be unsigned: " + code);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public CniException(CniErrorCode code, String msg, String details) {
        this(code.code(), msg, details);
    }

    public CniException(CniErrorCode code, String msg) {
        this(code.code(), msg, "");
    }

    public int code() {
        return code;
    }

    public CniErrorCode errorCode() {
        return CniErrorCode.of(code);
    }

    public String msg() {
        return getMessage();
    }

    public String details() {
        return details;
    }

    @Override
    public String toString() {
        return "CniException[code=" + code + ", msg=" + getMessage() + (details.isEmpty() ? "" : ", details=" + details) + "]";
    }
}
