package io.ensemble.quorum.transport;

import io.ensemble.quorum.zab.ZabMessage;

/**
 * Encodes the leader's outgoing messages, once per message instance rather than once per learner. The leader core
 * hands the same PROPOSAL, COMMIT or INFORM instance to every learner of a fan-out (followers and observers
 * interleaved), so remembering the last two encodings by identity makes an added learner cost a queue entry, not
 * another serialisation of the transaction.
 */
final class FanOutEncoder {
    private final int maxFrameBytes;
    private final ZabMessage[] messages = new ZabMessage[2];
    private final byte[][] bodies = new byte[2][];
    private int oldest;

    FanOutEncoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The frame body of {@code message}; IllegalArgumentException if it exceeds the frame limit. */
    synchronized byte[] encode(ZabMessage message) {
        for (int i = 0; i < messages.length; i++) {
            if (messages[i] == message) {
                return bodies[i];
            }
        }
        byte[] body = QuorumChannel.encode(message, maxFrameBytes);
        messages[oldest] = message;
        bodies[oldest] = body;
        oldest = (oldest + 1) % messages.length;
        return body;
    }
}
