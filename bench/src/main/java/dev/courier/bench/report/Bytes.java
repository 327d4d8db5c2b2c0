package dev.courier.bench.report;

/// Byte counts for people.
public final class Bytes {
    private Bytes() {}

    public static String human(double bytes) {
        double abs = Math.abs(bytes);
        if (abs >= 1L << 30) return String.format("%.2f GiB", bytes / (1L << 30));
        if (abs >= 1L << 20) return String.format("%.1f MiB", bytes / (1L << 20));
        if (abs >= 1L << 10) return String.format("%.1f KiB", bytes / 1024);
        return String.format("%.0f B", bytes);
    }
}
