package dev.courier.server.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/// A size in bytes, written in configuration as `512`, `64KiB`, `3MiB` or `1GiB`.
public record DataSize(long bytes) {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(B|KIB|MIB|GIB)?");

    public DataSize {
        if (bytes < 0) throw new IllegalArgumentException("size must not be negative");
    }

    public static DataSize ofKibibytes(long kib) {
        return new DataSize(kib * 1024);
    }

    public static DataSize ofMebibytes(long mib) {
        return new DataSize(mib * 1024 * 1024);
    }

    public static DataSize parse(String text) {
        Matcher m = FORMAT.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size such as 512, 64KiB or 3MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return switch (unit) {
            case "KIB" -> new DataSize(n * 1024);
            case "MIB" -> new DataSize(n * 1024 * 1024);
            case "GIB" -> new DataSize(n * 1024 * 1024 * 1024);
            default -> new DataSize(n);
        };
    }

    public int intBytes() {
        return Math.toIntExact(bytes);
    }

    @Override
    public String toString() {
        if (bytes % (1024 * 1024) == 0 && bytes > 0) return bytes / (1024 * 1024) + "MiB";
        if (bytes % 1024 == 0 && bytes > 0) return bytes / 1024 + "KiB";
        return bytes + "B";
    }
}
