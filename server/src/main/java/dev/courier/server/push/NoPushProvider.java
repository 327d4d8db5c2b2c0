package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/// The waker in force while no push provider is configured: the envelope is held durably and the
/// device gets it when it next connects. It only counts, so operators can see how many wake-ups a
/// provider would have sent.
public final class NoPushProvider implements DeviceWaker {
    static final String HELD_WITHOUT_PUSH = "courier.push.unavailable";
    private final Counter held;

    public NoPushProvider(MeterRegistry metrics) {
        this.held = Counter.builder(HELD_WITHOUT_PUSH)
                .description("envelopes held for offline devices with no push provider configured")
                .register(metrics);
    }

    @Override
    public void wake(DeviceAddress device) {
        held.increment();
    }
}
