package io.ensemble.wire;

/** A frame or record that does not decode: the connection that sent it is closed, nobody else is affected. */
public final class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
        super(message);
    }
}
