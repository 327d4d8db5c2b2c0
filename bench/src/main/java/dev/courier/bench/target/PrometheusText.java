package dev.courier.bench.target;

import java.util.List;

/// The Prometheus text exposition of `/metrics`, read just enough to sum one metric's samples.
public final class PrometheusText {
    private final String text;

    public PrometheusText(String text) {
        this.text = text;
    }

    /// Several servers' expositions as one, so that [#sum] adds up over all of them (a cluster).
    public static PrometheusText combined(List<PrometheusText> parts) {
        StringBuilder all = new StringBuilder();
        for (PrometheusText part : parts) all.append(part.text).append('\n');
        return new PrometheusText(all.toString());
    }

    /// The sum of every sample of `name` whose labels contain `label` (all samples when null), or
    /// NaN when there is none.
    public double sum(String name, String label) {
        double total = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) continue;
            int rest = name.length();
            if (rest < line.length() && line.charAt(rest) != '{' && line.charAt(rest) != ' ') continue;
            int space = line.lastIndexOf(' ');
            String labels = line.substring(rest, space);
            if (label == null || labels.contains(label)) {
                total += Double.parseDouble(line.substring(space + 1));
                found = true;
            }
        }
        return found ? total : Double.NaN;
    }
}
