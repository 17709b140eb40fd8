package io.ensemble.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What tests and benchmarks that start a server in its own JVM share: the jar, the java binary, a free port. */
public final class ServerJvm {
    private ServerJvm() {
    }

    /**
     * The packaged server: {@code -Densemble.jar=...} if given, else {@code ensemble.jar} in the build directory
     * the anchor class was compiled into ({@code <build dir>/test-classes/..}), so that a build with
     * {@code -Dbuild.dir=...} finds its own jar, else {@code target/ensemble.jar}. Returns null if there is none.
     */
    public static Path locateJar(Class<?> anchor) {
        String explicit = System.getProperty("ensemble.jar");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit).toAbsolutePath();
            return Files.isRegularFile(p) ? p : null;
        }
        try {
            Path classes = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path candidate = classes.getParent().resolve("ensemble.jar");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall through to the conventional location
        }
        Path fallback = Path.of("target", "ensemble.jar").toAbsolutePath();
        return Files.isRegularFile(fallback) ? fallback : null;
    }

    /** The java binary of this JVM, so the server runs on the same JDK as the test. */
    public static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Sends a four-letter word to 127.0.0.1:port and returns the whole answer (at most 1 MiB), or "" if none. */
    public static String fourLetterWord(int port, String word) {
        return fourLetterWord("127.0.0.1", port, word);
    }

    /** Sends a four-letter word to host:port and returns the whole answer (at most 1 MiB), or "" if none. */
    public static String fourLetterWord(String host, int port, String word) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
