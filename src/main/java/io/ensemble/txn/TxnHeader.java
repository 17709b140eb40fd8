package io.ensemble.txn;

/** Who asked for a transaction, its zxid and its wall-clock time (every op of a multi shares one time). */
public record TxnHeader(long sessionId, int cxid, long zxid, long time, int type) {
}
