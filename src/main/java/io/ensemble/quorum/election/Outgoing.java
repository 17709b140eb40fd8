package io.ensemble.quorum.election;

/** A notification the driver must send to server {@code to}. */
public record Outgoing(long to, Notification notification) {

    @Override
    public String toString() {
        return notification.sid() + "->" + to + " " + notification.state() + " " + notification.vote();
    }
}
