package io.ensemble.quorum.election;

import java.util.List;
import java.util.Optional;

/**
 * Everything one input to the {@link ElectionStateMachine} asks of its driver.
 *
 * @param messages notifications to send, in order
 * @param decision the decision, present only on the input that reached it
 */
public record ElectionOutput(List<Outgoing> messages, Optional<Decision> decision) {

    public static final ElectionOutput NONE = new ElectionOutput(List.of(), Optional.empty());

    public ElectionOutput {
        messages = List.copyOf(messages);
    }

    public boolean isEmpty() {
        return messages.isEmpty() && decision.isEmpty();
    }
}
