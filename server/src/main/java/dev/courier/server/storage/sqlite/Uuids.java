package dev.courier.server.storage.sqlite;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/// UUIDs are stored as 16-byte big-endian blobs: half the size of text, and indexes stay small.
final class Uuids {
    private Uuids() {}

    static byte[] toBytes(UUID uuid) {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
    }

    static UUID fromBytes(byte[] bytes) {
        if (bytes == null) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new UUID(b.getLong(), b.getLong());
    }

    static byte[] listToBytes(List<UUID> uuids) {
        ByteBuffer b = ByteBuffer.allocate(16 * uuids.size());
        for (UUID u : uuids) b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return b.array();
    }

    static List<UUID> listFromBytes(byte[] bytes) {
        if (bytes == null) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        List<UUID> out = new ArrayList<>(bytes.length / 16);
        while (b.remaining() >= 16) out.add(new UUID(b.getLong(), b.getLong()));
        return out;
    }
}
