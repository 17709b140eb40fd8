package io.ensemble.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

    @Test
    void endOfStreamIsMinusOne() throws IOException {
        ElasticInput in = new ElasticInput(new ByteArrayInputStream(new byte[0]));
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(in.read(new byte[10], 0, 0)).isZero();
    }
}
