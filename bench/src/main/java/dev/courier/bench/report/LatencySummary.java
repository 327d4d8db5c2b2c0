package dev.courier.bench.report;

import org.HdrHistogram.Histogram;

/// Percentiles of one latency histogram, in milliseconds. Histograms record microseconds.
public record LatencySummary(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double meanMs) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

    /// A histogram for latencies in microseconds, up to an hour, at three significant digits.
    public static Histogram newHistogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    public static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) return EMPTY;
        return new LatencySummary(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), round(h.getMean() / 1000.0));
    }

    private static double ms(long micros) {
        return round(micros / 1000.0);
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    /// `p50 / p90 / p99 / p99.9 / max` for a table cell.
    public String cells() {
        return fmt(p50Ms) + " / " + fmt(p90Ms) + " / " + fmt(p99Ms) + " / " + fmt(p999Ms) + " / " + fmt(maxMs);
    }

    public static String fmt(double ms) {
        if (ms >= 100) return String.format("%.0f", ms);
        if (ms >= 10) return String.format("%.1f", ms);
        return String.format("%.2f", ms);
    }
}
