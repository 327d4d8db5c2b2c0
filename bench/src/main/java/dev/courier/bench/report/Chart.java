package dev.courier.bench.report;

import java.util.List;

/// A line chart for the HTML report: named series of (x, y) points.
public record Chart(String title, String xLabel, String yLabel, boolean logY, List<Series> series) {
    public record Series(String name, List<double[]> points) {}
}
