package io.ensemble.quorum.zab;

import io.ensemble.txn.LoggedTxn;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Everything one input to a ZAB core asks of its driver, like etcd raft's {@code Ready}. The driver handles the
 * parts in this order, because each step relies on the ones before it:
 * <ol>
 *   <li>{@code truncateTo} / {@code loadSnapshot}: reset the log and tree (sync with a new leader);</li>
 *   <li>{@code acceptedEpoch} / {@code currentEpoch}: write them durably before any message of this value is sent
 *       (an ACKEPOCH or ACK promises they are on disk);</li>
 *   <li>{@code persist}: append to the log; the fsync may finish later, the driver then calls {@code durable};</li>
 *   <li>{@code apply}: committed transactions, in zxid order, to the tree (a SNAP in {@code messages} is taken
 *       from the tree after this step);</li>
 *   <li>{@code messages}: send, in order per peer;</li>
 *   <li>{@code events}: role changes and requests for the server.</li>
 * </ol>
 */
public record ZabReady(OptionalLong truncateTo, OptionalLong loadSnapshot, OptionalLong acceptedEpoch,
                       OptionalLong currentEpoch, List<LoggedTxn> persist, List<LoggedTxn> apply,
                       List<Outbound> messages, List<ZabEvent> events) {

    public static final ZabReady NONE = new Builder().build();

    public ZabReady {
        persist = List.copyOf(persist);
        apply = List.copyOf(apply);
        messages = List.copyOf(messages);
        events = List.copyOf(events);
    }

    public boolean isEmpty() {
        return truncateTo.isEmpty() && loadSnapshot.isEmpty() && acceptedEpoch.isEmpty() && currentEpoch.isEmpty()
                && persist.isEmpty() && apply.isEmpty() && messages.isEmpty() && events.isEmpty();
    }

    /** Whether this value ends the core: it carries a {@link ZabEvent.Looking}. */
    public boolean endsRole() {
        return events.stream().anyMatch(e -> e instanceof ZabEvent.Looking);
    }

    /** Collects one call's output; cores keep one and hand it out with {@link #build()}. */
    static final class Builder {
        private OptionalLong truncateTo = OptionalLong.empty();
        private OptionalLong loadSnapshot = OptionalLong.empty();
        private OptionalLong acceptedEpoch = OptionalLong.empty();
        private OptionalLong currentEpoch = OptionalLong.empty();
        private final List<LoggedTxn> persist = new ArrayList<>();
        private final List<LoggedTxn> apply = new ArrayList<>();
        private final List<Outbound> messages = new ArrayList<>();
        private final List<ZabEvent> events = new ArrayList<>();

        Builder truncateTo(long zxid) {
            truncateTo = OptionalLong.of(zxid);
            return this;
        }

        Builder loadSnapshot(long zxid) {
            loadSnapshot = OptionalLong.of(zxid);
            return this;
        }

        Builder acceptedEpoch(long epoch) {
            acceptedEpoch = OptionalLong.of(epoch);
            return this;
        }

        Builder currentEpoch(long epoch) {
            currentEpoch = OptionalLong.of(epoch);
            return this;
        }

        Builder persist(LoggedTxn txn) {
            persist.add(txn);
            return this;
        }

        Builder apply(LoggedTxn txn) {
            apply.add(txn);
            return this;
        }

        Builder send(long to, ZabMessage message) {
            messages.add(new Outbound(to, message));
            return this;
        }

        Builder event(ZabEvent event) {
            events.add(event);
            return this;
        }

        ZabReady build() {
            return new ZabReady(truncateTo, loadSnapshot, acceptedEpoch, currentEpoch, persist, apply, messages,
                    events);
        }
    }
}
