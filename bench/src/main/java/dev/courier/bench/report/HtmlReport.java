package dev.courier.bench.report;

import java.util.List;
import java.util.Locale;

/// A self-contained HTML page for one run: its tables, its charts as inline SVG, and the result
/// JSON embedded at the end. No scripts and no external resources, so it opens anywhere,
/// offline included.
public final class HtmlReport {
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"};
    private static final int W = 760;
    private static final int H = 320;
    private static final int LEFT = 64;
    private static final int RIGHT = 150;
    private static final int TOP = 30;
    private static final int BOTTOM = 46;

    private HtmlReport() {}

    public static String render(RunReport report, String json) {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html><head><meta charset="utf-8"><title>Courier bench: %s</title>
                <style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
                td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}
                svg{margin:8px 0 24px;display:block}pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:400px}
                .note{color:#a33}</style></head><body>
                """.formatted(esc(report.scenario())));
        html.append("<h1>Courier bench: ").append(esc(report.scenario())).append("</h1>\n<p>")
                .append(esc(report.startedAt())).append(" · ").append(esc(report.server())).append("<br><code>")
                .append(esc(report.command())).append("</code></p>\n");
        for (String n : report.notes()) html.append("<p class=note>").append(esc(n)).append("</p>\n");
        for (Table t : report.tables()) table(html, t);
        for (Chart c : report.charts()) svg(html, c);
        html.append("<h2>Result JSON</h2><pre>").append(esc(json)).append("</pre></body></html>\n");
        return html.toString();
    }

    private static void table(StringBuilder html, Table t) {
        html.append("<h2>").append(esc(t.title())).append("</h2><table><tr>");
        for (String h : t.header()) html.append("<th>").append(esc(h)).append("</th>");
        html.append("</tr>\n");
        for (List<String> r : t.rows()) {
            html.append("<tr>");
            for (String c : r) html.append("<td>").append(esc(c)).append("</td>");
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    private static void svg(StringBuilder html, Chart c) {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Chart.Series s : c.series()) {
            for (double[] p : s.points()) {
                if (c.logY() && p[1] <= 0) continue;
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        html.append("<h2>").append(esc(c.title())).append("</h2>\n");
        if (minX > maxX) {
            html.append("<p>(no data)</p>\n");
            return;
        }
        if (maxX == minX) maxX = minX + 1;
        if (c.logY()) {
            minY = Math.pow(10, Math.floor(Math.log10(minY)));
            maxY = Math.pow(10, Math.ceil(Math.log10(maxY)));
            if (maxY <= minY) maxY = minY * 10;
        } else {
            minY = Math.min(0, minY);
            maxY = maxY <= minY ? minY + 1 : maxY * 1.05;
        }
        Scale sx = new Scale(minX, maxX, LEFT, W - RIGHT, false);
        Scale sy = new Scale(minY, maxY, H - BOTTOM, TOP, c.logY());
        html.append("<svg width=").append(W).append(" height=").append(H).append(" xmlns='http://www.w3.org/2000/svg' font-size='11'>");
        html.append("<rect x=").append(LEFT).append(" y=").append(TOP).append(" width=").append(W - LEFT - RIGHT)
                .append(" height=").append(H - TOP - BOTTOM).append(" fill='none' stroke='#999'/>");
        for (double y : sy.ticks()) {
            double py = sy.at(y);
            html.append(String.format(Locale.ROOT, "<line x1=%d x2=%d y1=%.1f y2=%.1f stroke='#eee'/><text x=%d y=%.1f text-anchor='end'>%s</text>",
                    LEFT, W - RIGHT, py, py, LEFT - 4, py + 4, label(y)));
        }
        for (double x : sx.ticks()) {
            double px = sx.at(x);
            html.append(String.format(Locale.ROOT, "<text x=%.1f y=%d text-anchor='middle'>%s</text>", px, H - BOTTOM + 14, label(x)));
        }
        html.append(String.format(Locale.ROOT, "<text x=%d y=%d text-anchor='middle'>%s</text>", (LEFT + W - RIGHT) / 2, H - 8, esc(c.xLabel())));
        html.append(String.format(Locale.ROOT, "<text x=12 y=%d transform='rotate(-90 12 %d)' text-anchor='middle'>%s</text>",
                (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, esc(c.yLabel())));
        int i = 0;
        for (Chart.Series s : c.series()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                if (c.logY() && p[1] <= 0) continue;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.at(p[0]), sy.at(p[1])));
            }
            html.append("<polyline fill='none' stroke='").append(colour).append("' stroke-width='1.6' points='").append(pts).append("'/>");
            if (s.points().size() < 30) {
                for (double[] p : s.points()) {
                    if (c.logY() && p[1] <= 0) continue;
                    html.append(String.format(Locale.ROOT, "<circle cx=%.1f cy=%.1f r=2.5 fill='%s'/>", sx.at(p[0]), sy.at(p[1]), colour));
                }
            }
            int ly = TOP + 10 + 16 * i;
            html.append(String.format(Locale.ROOT, "<line x1=%d x2=%d y1=%d y2=%d stroke='%s' stroke-width='3'/><text x=%d y=%d>%s</text>",
                    W - RIGHT + 10, W - RIGHT + 28, ly, ly, colour, W - RIGHT + 32, ly + 4, esc(s.name())));
            i++;
        }
        html.append("</svg>\n");
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        if (Math.abs(v) >= 1) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }

    /// Maps data values to pixels, linearly or by log10.
    private record Scale(double min, double max, double from, double to, boolean log) {
        double at(double v) {
            double f = log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
            return from + f * (to - from);
        }

        List<Double> ticks() {
            if (log) {
                List<Double> t = new java.util.ArrayList<>();
                for (double v = min; v <= max * 1.0001; v *= 10) t.add(v);
                return t;
            }
            double step = Math.pow(10, Math.floor(Math.log10((max - min) / 5)));
            if ((max - min) / step > 10) step *= 2;
            if ((max - min) / step > 10) step *= 2.5;
            List<Double> t = new java.util.ArrayList<>();
            for (double v = Math.ceil(min / step) * step; v <= max; v += step) t.add(v);
            return t;
        }
    }
}
