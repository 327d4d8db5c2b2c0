package dev.courier.bench.report;

import org.HdrHistogram.Histogram;

/// One second of a run: how many samples and their percentiles (ms), from an interval histogram.
public record IntervalPoint(double tSeconds, long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {
    public static IntervalPoint of(double tSeconds, Histogram interval) {
        LatencySummary s = LatencySummary.of(interval);
        return new IntervalPoint(tSeconds, s.count(), s.p50Ms(), s.p90Ms(), s.p99Ms(), s.p999Ms(), s.maxMs());
    }
}
