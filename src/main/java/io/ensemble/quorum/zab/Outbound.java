package io.ensemble.quorum.zab;

/** A message for the driver to send to server {@code to}; messages to one peer must be sent in list order. */
public record Outbound(long to, ZabMessage message) {
}
