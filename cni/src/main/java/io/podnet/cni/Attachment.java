package io.podnet.cni;

/**
 * One still-valid attachment in a GC request ({@code cni.dev/valid-attachments}, formerly
 * {@code cni.dev/attachments}): {@code {"containerID": .., "ifname": ..}}.
 */
public record Attachment(String containerId, String ifname) {
    public Attachment {
        if (containerId == null || containerId.isEmpty()) throw new IllegalArgumentException("attachment containerID is empty");
        if (ifname == null || ifname.isEmpty()) throw new IllegalArgumentException("attachment ifname is empty");
    }
}
