package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    @Test
    void idsAreVersionSevenWithTheRfcVariant() {
        UUID id = MessageIds.next();

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void idsCarryTheirMillisecondsInTheTopBits() {
        long millis = 1_796_000_000_123L;

        UUID id = MessageIds.at(millis);

        assertThat(MessageIds.timestamp(id)).isEqualTo(millis);
        assertThat(id.toString()).startsWith(String.format("%08x-%04x-7", millis >>> 16, millis & 0xFFFF));
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnesAsBytes() {
        // The server stores IDs as big-endian bytes (or PostgreSQL uuid), compared unsigned byte
        // by byte; that order is what puts new sends on the index's newest pages.
        UUID earlier = MessageIds.at(1_796_000_000_000L);
        UUID later = MessageIds.at(1_796_000_000_001L);

        assertThat(Long.compareUnsigned(earlier.getMostSignificantBits(), later.getMostSignificantBits())).isNegative();
    }

    @Test
    void idsOfTheSameMillisecondDifferInTheirRandomBits() {
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) ids.add(MessageIds.at(1_796_000_000_000L));

        assertThat(ids).hasSize(10_000);
    }
}
