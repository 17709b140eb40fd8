package io.ensemble.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The client connection's read buffer: every byte arrives in order whatever the read and arrival sizes. */
class ElasticInputTest {

    /** A stream that hands out at most {@code chunk} bytes per read, like a socket with data arriving in pieces. */
    private static InputStream trickle(byte[] data, Random random, int maxChunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(maxChunk)));
            }
        };
    }

    @Test
    void deliversEveryByteInOrderForAnyMixOfReadSizes() throws IOException {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            byte[] data = new byte[random.nextInt(300_000)];
            random.nextBytes(data);
            int maxChunk = random.nextBoolean() ? 100 : 200_000;
            ElasticInput in = new ElasticInput(trickle(data, random, maxChunk));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                int b;
                if (random.nextInt(10) == 0) {
                    b = in.read();
                    if (b < 0) {
                        break;
                    }
                    out.write(b);
                } else {
                    byte[] buf = new byte[1 + random.nextInt(100_000)];
                    int n = in.read(buf, 0, buf.length);
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                }
            }
            assertThat(out.toByteArray()).isEqualTo(data);
        }
    }

    /** A stream that hands out exactly the given read sizes, one per read call, then ends. */
    private static InputStream scripted(int... reads) {
        return new InputStream() {
            private int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return next == reads.length ? -1 : Math.min(len, reads[next++]);
            }
        };
    }

    @Test
    void aSteadyStreamOfOneKibRequestsKeepsItsBuffer() throws IOException {
        // each 1,104-byte request arrives as the minimum buffer's worth plus an 80-byte tail
        int[] reads = new int[40];
        for (int i = 0; i < reads.length; i += 2) {
            reads[i] = ElasticInput.MIN;
            reads[i + 1] = 80;
        }
        ElasticInput in = new ElasticInput(scripted(reads));
        DataInputStream frames = new DataInputStream(in);
        byte[] body = new byte[1100];
        frames.readInt(); // as the connection reads a frame: length, then body
        frames.readFully(body);
        int grown = in.capacity();
        assertThat(grown).isGreaterThan(ElasticInput.MIN);
        for (int i = 1; i < reads.length / 2; i++) {
            frames.readInt();
            frames.readFully(body);
            assertThat(in.capacity()).as("after request %d", i).isEqualTo(grown);
        }
    }

    @Test
    void aQuietPeerGetsTheMinimumBufferBack() throws IOException {
        int[] reads = new int[1 + ElasticInput.SMALL_FILLS_BEFORE_SHRINK];
        reads[0] = ElasticInput.MIN;
        Arrays.fill(reads, 1, reads.length, 12); // pings
        ElasticInput in = new ElasticInput(scripted(reads));
        byte[] b = new byte[16];
        in.read(b, 0, 1);
        in.skipNBytes(ElasticInput.MIN - 1);
        assertThat(in.capacity()).isGreaterThan(ElasticInput.MIN);
        for (int i = 1; i < ElasticInput.SMALL_FILLS_BEFORE_SHRINK; i++) {
            in.readNBytes(b, 0, 12);
            assertThat(in.capacity()).isGreaterThan(ElasticInput.MIN);
        }
        in.readNBytes(b, 0, 12);
        assertThat(in.capacity()).isEqualTo(ElasticInput.MIN);
    }

    @Test
    void endOfStreamIsMinusOne() throws IOException {
        ElasticInput in = new ElasticInput(new ByteArrayInputStream(new byte[0]));
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 0)).isZero();
    }
}
