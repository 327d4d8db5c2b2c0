package dev.courier.client.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.SendMessageResponse;
import dev.courier.protocol.ServerFrame;
import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/// The bookkeeping that matches `send_result` frames to the sends awaiting them.
class PendingSendsTest {
    private static ServerFrame.SendResult ok(long id) {
        return new ServerFrame.SendResult(id, 200, new SendMessageResponse(UUID.randomUUID(), 1L), null);
    }

    @Test
    void anErrorFrameFailsTheWaitingSendsAtOnceAndLaterSendsStillGetTheirAnswers() {
        var sends = new PendingSends();
        var first = sends.expect(1);
        var second = sends.expect(2);

        sends.failWaiting(new IOException("the server rejected a frame: invalid_frame"));

        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompletedExceptionally();
        var third = sends.expect(3);
        assertThat(third).as("the socket is still up").isNotDone();
        sends.answer(ok(3));
        assertThat(third.join().status()).isEqualTo(200);
        sends.answer(ok(1));
        assertThat(first).as("a late answer to a failed send changes nothing").isCompletedExceptionally();
    }

    @Test
    void anEndedSocketFailsWaitingAndLaterSends() {
        var sends = new PendingSends();
        var waiting = sends.expect(1);

        sends.endAll(new IOException("closed"));

        assertThat(waiting).isCompletedExceptionally();
        assertThat(sends.expect(2)).isCompletedExceptionally();
    }
}
