package dev.courier.cli.demo;

/// The server's two delivery counters from `/metrics`: how many queue updates found the device
/// online (pushed at once) and how many found it offline (held until it connects). The difference
/// before and after a send shows which branch the server took; clients cannot see it otherwise.
record DeliveryCounters(long online, long offline) {
    static final String ONLINE = "courier_delivery_online_total";
    static final String OFFLINE = "courier_delivery_offline_total";

    /// Reads the counters from Prometheus text exposition (summing label sets, if any).
    static DeliveryCounters parse(String metrics) {
        double online = 0;
        double offline = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#")) continue;
            if (isSample(line, ONLINE)) online += value(line);
            else if (isSample(line, OFFLINE)) offline += value(line);
        }
        return new DeliveryCounters(Math.round(online), Math.round(offline));
    }

    private static boolean isSample(String line, String name) {
        return line.startsWith(name) && line.length() > name.length()
                && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{');
    }

    private static double value(String line) {
        String[] parts = line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+");
        // After the name (or labels): the value, then an optional timestamp.
        String v = line.contains("{") ? parts[0] : parts[1];
        return Double.parseDouble(v);
    }

    DeliveryCounters minus(DeliveryCounters before) {
        return new DeliveryCounters(online - before.online, offline - before.offline);
    }
}
