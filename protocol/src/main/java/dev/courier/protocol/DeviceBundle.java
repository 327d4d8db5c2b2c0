package dev.courier.protocol;

/// What a sender needs to start a PQXDH session with one device. `preKey` is absent when the
/// device has run out of one-time EC keys. `pqPreKey` is the device's last-resort Kyber key when
/// `pqLastResort` is true, and a one-time Kyber key otherwise.
public record DeviceBundle(int deviceId, int registrationId, byte[] identityKey, SignedPreKey signedPreKey,
                           PreKey preKey, SignedPreKey pqPreKey, boolean pqLastResort) {}
