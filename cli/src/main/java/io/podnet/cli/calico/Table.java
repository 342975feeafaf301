package io.podnet.cli.calico;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Text tables: calicoctl's plain column layout ({@link #plain}) and its go-pretty boxed one ({@link #boxed}). */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] right;

    Table(List<String> header, boolean... rightAligned) {
        this.header = List.copyOf(header);
        this.right = rightAligned.length == header.size() ? rightAligned : new boolean[header.size()];
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) r.add(String.valueOf(c));
        rows.add(r);
        return this;
    }

    private int[] widths() {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r.get(i).length());
        return w;
    }

    private String cell(String s, int w, boolean r) {
        return r ? " ".repeat(w - s.length()) + s : s + " ".repeat(w - s.length());
    }

    /** {@code NAME   CIDR   SELECTOR} columns separated by three spaces (calicoctl's tabwriter output). */
    void plain(PrintWriter out) {
        int[] w = widths();
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < w.length; i++) b.append(i == w.length - 1 ? r.get(i) : cell(r.get(i), w[i], false) + "   ");
            out.println(b.toString().stripTrailing());
        }
    }

    /** {@code +---+} framed table (calicoctl ipam show). */
    void boxed(PrintWriter out) {
        int[] w = widths();
        StringBuilder line = new StringBuilder("+");
        for (int x : w) line.append("-".repeat(x + 2)).append('+');
        out.println(line);
        out.println(boxRow(header, w, true));
        out.println(line);
        for (List<String> r : rows) out.println(boxRow(r, w, false));
        out.println(line);
    }

    private String boxRow(List<String> r, int[] w, boolean head) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) b.append(' ').append(cell(r.get(i), w[i], !head && right[i])).append(" |");
        return b.toString();
    }
}
