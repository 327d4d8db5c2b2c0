package dev.courier.server.storage;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/// The one-time key tables as every backend lays them out, and the rules that do not depend on
/// the backend: the per-device cap and what a taken key looks like.
public final class OneTimeKeyRows {
    public static final String EC_TABLE = "one_time_pre_keys";
    public static final String PQ_TABLE = "one_time_pq_pre_keys";

    private OneTimeKeyRows() {}

    /// Refuses an upload that would leave a device `count` keys of one kind. Called inside the
    /// upload's transaction after its inserts, so throwing undoes the whole upload.
    public static void checkLimit(int count, int maxStored) {
        if (count > maxStored) {
            throw ServiceException.badRequest("too_many_keys", "a device may store at most " + maxStored
                    + " one-time keys of each kind; this upload would make " + count);
        }
    }

    /// Runs `take`, a delete of one EC key `RETURNING key_id, public_key`, and returns that key.
    public static Optional<PreKey> takePreKey(PreparedStatement take) throws SQLException {
        try (ResultSet rs = take.executeQuery()) {
            return rs.next() ? Optional.of(new PreKey(rs.getInt(1), rs.getBytes(2))) : Optional.empty();
        }
    }

    /// Runs `take`, a delete of one Kyber key `RETURNING key_id, public_key, signature`, and returns that key.
    public static Optional<SignedPreKey> takePqPreKey(PreparedStatement take) throws SQLException {
        try (ResultSet rs = take.executeQuery()) {
            return rs.next() ? Optional.of(new SignedPreKey(rs.getInt(1), rs.getBytes(2), rs.getBytes(3))) : Optional.empty();
        }
    }
}
