package io.ensemble.checker;

import java.util.List;

/**
 * One broken guarantee: what, where ({@code subject}: a znode, a session, a server), why, and the smallest set of
 * operations that shows it.
 */
public record Violation(Kind kind, String subject, String message, List<Operation> witness) {
    /** The guarantees the checker verifies. */
    public enum Kind {
        /** Updates (and, if asked, reads) on one znode have no linearization consistent with what clients saw. */
        NOT_LINEARIZABLE,
        /** A session saw state older than state it had already seen or written, or got a zxid that went back. */
        SESSION_WENT_BACKWARDS,
        /** Replies of one session completed out of invocation order. */
        FIFO_ORDER,
        /** The final state does not reflect an acknowledged update. */
        LOST_WRITE,
        /** Two sequential creates got the same name, or a later one a smaller sequence number. */
        SEQUENTIAL_NAME_REUSED,
        /** Servers hold different trees after healing. */
        REPLICAS_DIVERGED
    }

    public Violation {
        witness = List.copyOf(witness);
    }

    /** The violation with its witness, times relative to {@code startNanos}. */
    public String describe(long startNanos) {
        StringBuilder out = new StringBuilder();
        out.append(kind).append(" on ").append(subject).append(": ").append(message).append('\n');
        out.append(HistoryFormatter.table(witness, startNanos));
        return out.toString();
    }
}
