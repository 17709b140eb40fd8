package io.ensemble.txn;

/** A transaction as the log holds it: header plus body. */
public record LoggedTxn(TxnHeader header, Txn txn) {
    public long zxid() {
        return header.zxid();
    }
}
