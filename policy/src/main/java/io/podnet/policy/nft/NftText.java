package io.podnet.policy.nft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Renders the value model as {@code nft -f} text, in the layout {@code nft list ruleset} prints (tabs). */
final class NftText {
    private NftText() {}

    static String render(Ruleset r) {
        StringBuilder sb = new StringBuilder();
        for (Table t : r.tables().values()) table(sb, t);
        return sb.toString();
    }

    static String renderReplace(Ruleset r) {
        StringBuilder sb = new StringBuilder();
        for (Table t : r.tables().values()) {
            sb.append("add table ").append(t.id()).append('\n');
            sb.append("delete table ").append(t.id()).append('\n');
            table(sb, t);
        }
        return sb.toString();
    }

    static void table(StringBuilder sb, Table t) {
        sb.append("table ").append(t.id()).append(" {\n");
        if (!t.comment().isEmpty()) sb.append("\tcomment \"").append(t.comment()).append("\"\n");
        for (NftSet s : t.sets().values()) {
            sb.append("\tset ").append(s.name()).append(" {\n");
            setBody(sb, "\t\t", s);
            if (!s.elements().isEmpty()) sb.append("\t\telements = { ").append(String.join(", ", s.elements())).append(" }\n");
            sb.append("\t}\n");
        }
        for (NftMap m : t.maps().values()) {
            sb.append("\tmap ").append(m.name()).append(" {\n");
            mapBody(sb, "\t\t", m);
            if (!m.elements().isEmpty()) sb.append("\t\telements = { ").append(mapElements(m.elements())).append(" }\n");
            sb.append("\t}\n");
        }
        for (Chain c : ordered(t.chains().values())) {
            sb.append("\tchain ").append(c.name()).append(" {\n");
            chainHeader(sb, "\t\t", c);
            for (NftRule rule : c.rules()) sb.append("\t\t").append(rule.render()).append('\n');
            sb.append("\t}\n");
        }
        sb.append("}\n");
    }

    /** Base chains first (in name order), then the others: the entry points read first. */
    static List<Chain> ordered(Collection<Chain> chains) {
        List<Chain> out = new ArrayList<>();
        for (Chain c : chains) if (c.hook().isPresent()) out.add(c);
        for (Chain c : chains) if (c.hook().isEmpty()) out.add(c);
        return out;
    }

    static void setBody(StringBuilder sb, String indent, NftSet s) {
        sb.append(indent).append("type ").append(s.type()).append('\n');
        if (s.interval()) sb.append(indent).append("flags interval\n");
        if (!s.comment().isEmpty()) sb.append(indent).append("comment \"").append(s.comment()).append("\"\n");
    }

    static void mapBody(StringBuilder sb, String indent, NftMap m) {
        sb.append(indent).append("type ").append(m.keyType()).append(" : verdict\n");
        if (!m.comment().isEmpty()) sb.append(indent).append("comment \"").append(m.comment()).append("\"\n");
    }

    static void chainHeader(StringBuilder sb, String indent, Chain c) {
        c.hook().ifPresent(h -> sb.append(indent).append(h.render()).append('\n'));
        if (!c.comment().isEmpty()) sb.append(indent).append("comment \"").append(c.comment()).append("\"\n");
    }

    static String mapElements(Map<String, Verdict> elements) {
        StringBuilder sb = new StringBuilder();
        for (var e : elements.entrySet()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(e.getKey()).append(" : ").append(e.getValue().text());
        }
        return sb.toString();
    }

    /** The one-line declaration {@code add set} / {@code add map} / {@code add chain} takes. */
    static String inlineSet(NftSet s) {
        return "{ type " + s.type() + ";" + (s.interval() ? " flags interval;" : "")
                + (s.comment().isEmpty() ? "" : " comment \"" + s.comment() + "\";") + " }";
    }

    static String inlineMap(NftMap m) {
        return "{ type " + m.keyType() + " : verdict;" + (m.comment().isEmpty() ? "" : " comment \"" + m.comment() + "\";") + " }";
    }

    static String inlineChain(Chain c) {
        if (c.hook().isEmpty() && c.comment().isEmpty()) return "";
        StringBuilder sb = new StringBuilder(" { ");
        c.hook().ifPresent(h -> sb.append(h.render()).append(' '));
        if (!c.comment().isEmpty()) sb.append("comment \"").append(c.comment()).append("\"; ");
        return sb.append('}').toString();
    }
}
