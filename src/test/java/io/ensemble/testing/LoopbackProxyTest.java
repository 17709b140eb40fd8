package io.ensemble.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The proxy's faults against an echo server: plain forwarding, delay, blackhole, cut, restore. */
class LoopbackProxyTest {
    private ServerSocket echo;
    private final AtomicInteger accepted = new AtomicInteger();
    private LoopbackProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the test closed it
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = new LoopbackProxy("test", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket dial() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int n) throws IOException {
        return new String(s.getInputStream().readNBytes(n), StandardCharsets.UTF_8);
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket s = dial()) {
            send(s, "hello");
            assertThat(receive(s, 5)).isEqualTo("hello");
            assertThat(proxy.connections()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.connections() == 0);
    }

    @Test
    void delayAddsLatencyInEachDirection() throws IOException {
        proxy.delay(200);
        try (Socket s = dial()) {
            long t0 = System.nanoTime();
            send(s, "ping");
            assertThat(receive(s, 4)).isEqualTo("ping");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(400);
            proxy.restore();
            t0 = System.nanoTime();
            send(s, "pong");
            assertThat(receive(s, 4)).isEqualTo("pong");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(200);
        }
    }

    @Test
    void blackholeMovesNothingUntilRestoredAndHoldsNewConnections() throws IOException {
        try (Socket s = dial()) {
            send(s, "a");
            assertThat(receive(s, 1)).isEqualTo("a");
            proxy.blackhole();
            send(s, "b");
            s.setSoTimeout(500);
            assertThatThrownBy(() -> s.getInputStream().read()).as("silent, yet open")
                    .isInstanceOf(SocketTimeoutException.class);
            int acceptedBefore = accepted.get();
            try (Socket held = dial()) {
                send(held, "c");
                held.setSoTimeout(500);
                assertThatThrownBy(() -> held.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                assertThat(accepted.get()).as("the target is not dialled while blackholed").isEqualTo(acceptedBefore);

                proxy.restore();
                s.setSoTimeout(5000);
                held.setSoTimeout(5000);
                assertThat(receive(s, 1)).as("queued bytes arrive after the link heals").isEqualTo("b");
                assertThat(receive(held, 1)).isEqualTo("c");
            }
        }
    }

    @Test
    void cutClosesConnectionsAndRefusesNewOnesUntilRestored() throws IOException {
        try (Socket s = dial()) {
            send(s, "a");
            assertThat(receive(s, 1)).isEqualTo("a");
            proxy.cut();
            assertThat(readOrFail(s)).as("the connection ends").isEqualTo(-1);
        }
        try (Socket refused = dial()) {
            assertThat(readOrFail(refused)).as("a new connection is closed at once").isEqualTo(-1);
        }
        proxy.restore();
        try (Socket s = dial()) {
            send(s, "z");
            assertThat(receive(s, 1)).isEqualTo("z");
        }
    }

    /** read(): -1 at the end of the stream, also when the end was a reset. */
    private static int readOrFail(Socket s) {
        try {
            return s.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open", e);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aOneWayBlackholeHoldsOnlyThatDirection() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LoopbackProxy oneWay = new LoopbackProxy("one-way", target.getLocalPort())) {
            CompletableFuture<Socket> accepted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    accepted.complete(target.accept());
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            });
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), oneWay.port());
                 Socket server = accepted.get(5, TimeUnit.SECONDS)) {
                client.setSoTimeout(5000);
                server.setSoTimeout(5000);
                send(client, "a");
                assertThat(receive(server, 1)).isEqualTo("a");
                holdsOnlyOneWay(oneWay, oneWay::blackholeToTarget, client, server);
                holdsOnlyOneWay(oneWay, oneWay::blackholeToClient, server, client);
            }
        }
    }

    /** After {@code hold}, what {@code silenced} sends is held until restore; what it is sent still arrives. */
    private static void holdsOnlyOneWay(LoopbackProxy proxy, Runnable hold, Socket silenced, Socket other)
            throws IOException {
        hold.run();
        send(silenced, "x");
        send(other, "y");
        assertThat(receive(silenced, 1)).as("the other direction still flows").isEqualTo("y");
        other.setSoTimeout(500);
        assertThatThrownBy(() -> other.getInputStream().read()).as("the held direction moves nothing")
                .isInstanceOf(SocketTimeoutException.class);
        proxy.restore();
        other.setSoTimeout(5000);
        assertThat(receive(other, 1)).as("held bytes arrive after the heal").isEqualTo("x");
    }
}
