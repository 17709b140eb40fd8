package io.ensemble.wire;

import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.MultiHeader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/** Helpers around ZooKeeper's own jute archives, the oracle for our codec. */
final class Jute {
    private Jute() {
    }

    /** Serializes records back to back with ZooKeeper's BinaryOutputArchive. */
    static byte[] zk(Record... records) {
        return zkWith(oa -> {
            for (Record r : records) {
                try {
                    r.serialize(oa, "r");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    static byte[] zkWith(Consumer<BinaryOutputArchive> writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.accept(BinaryOutputArchive.getArchive(bytes));
        return bytes.toByteArray();
    }

    /** A multi request: header + record per op, then the terminator. */
    static byte[] multi(Object... typeAndRecord) {
        return zkWith(oa -> {
            try {
                for (int i = 0; i < typeAndRecord.length; i += 2) {
                    new MultiHeader((Integer) typeAndRecord[i], false, -1).serialize(oa, "h");
                    ((Record) typeAndRecord[i + 1]).serialize(oa, "r");
                }
                new MultiHeader(-1, true, -1).serialize(oa, "h");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Deserializes bytes into a ZooKeeper record and checks every byte was consumed. */
    static <T extends Record> T parse(byte[] bytes, T record) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        try {
            record.deserialize(BinaryInputArchive.getArchive(in), "r");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (in.available() != 0) {
            throw new AssertionError(in.available() + " bytes left over after " + record.getClass().getSimpleName());
        }
        return record;
    }

    /** Encodes one of our response bodies. */
    static byte[] ours(Responses.Body body) {
        JuteWriter w = new JuteWriter();
        body.write(w);
        return w.toByteArray();
    }

    static org.apache.zookeeper.data.Stat zkStat(Stat s) {
        return new org.apache.zookeeper.data.Stat(s.czxid(), s.mzxid(), s.ctime(), s.mtime(), s.version(),
                s.cversion(), s.aversion(), s.ephemeralOwner(), s.dataLength(), s.numChildren(), s.pzxid());
    }

    /** A Stat whose every field differs from every other, with high bits set, so a swapped field shows. */
    static Stat distinctStat(int seed) {
        return new Stat(0x0102030405060708L + seed, 0x1112131415161718L + seed, 0x2122232425262728L + seed,
                0x3132333435363738L + seed, 0x41424344 + seed, -0x51525354 + seed, 0x61626364 + seed,
                0x7172737475767778L + seed, 0x01020304 + seed, 0x0a0b0c0d + seed, -0x0102030405060708L + seed);
    }
}
