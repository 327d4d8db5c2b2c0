package dev.courier.bench.report;

import java.util.ArrayList;
import java.util.List;

/// A titled table of text cells, rendered with aligned columns on the terminal and as HTML.
public record Table(String title, List<String> header, List<List<String>> rows) {
    public static Builder builder(String title, String... header) {
        return new Builder(title, List.of(header));
    }

    public String render() {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            for (int i = 0; i < r.size() && i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        }
        StringBuilder out = new StringBuilder(title).append('\n');
        line(out, header, width);
        StringBuilder rule = new StringBuilder();
        for (int w : width) rule.append("-".repeat(w)).append("  ");
        out.append(rule.toString().stripTrailing()).append('\n');
        for (List<String> r : rows) line(out, r, width);
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            l.append(c).append(" ".repeat(Math.max(0, width[i] - c.length()))).append("  ");
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }

    public static final class Builder {
        private final String title;
        private final List<String> header;
        private final List<List<String>> rows = new ArrayList<>();

        private Builder(String title, List<String> header) {
            this.title = title;
            this.header = header;
        }

        public Builder row(Object... cells) {
            List<String> r = new ArrayList<>();
            for (Object c : cells) r.add(String.valueOf(c));
            rows.add(r);
            return this;
        }

        public Table build() {
            return new Table(title, header, List.copyOf(rows));
        }
    }
}
