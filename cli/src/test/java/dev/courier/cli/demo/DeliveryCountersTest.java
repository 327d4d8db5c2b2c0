package dev.courier.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryCountersTest {
    @Test
    void readsBothCountersFromPrometheusText() {
        String metrics = """
                # HELP courier_delivery_online_total queue updates for devices with a live connection
                # TYPE courier_delivery_online_total counter
                courier_delivery_online_total 3.0
                courier_delivery_online_totally_different 99.0
                # TYPE courier_delivery_offline_total counter
                courier_delivery_offline_total{instance="a"} 1.0
                courier_delivery_offline_total{instance="b"} 1.0 1700000000000
                """;
        DeliveryCounters c = DeliveryCounters.parse(metrics);
        assertThat(c).isEqualTo(new DeliveryCounters(3, 2));
        assertThat(c.minus(new DeliveryCounters(2, 2))).isEqualTo(new DeliveryCounters(1, 0));
    }

    @Test
    void missingCountersReadAsZero() {
        assertThat(DeliveryCounters.parse("jvm_threads_live_threads 12.0\n")).isEqualTo(new DeliveryCounters(0, 0));
    }
}
