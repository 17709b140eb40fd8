package io.ensemble.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory, to give one server a disk that fills up for real (ENOSPC from the kernel,
 * not a simulation). Needs {@code mount} permission (root, or CAP_SYS_ADMIN in a container); {@link #mount} fails
 * with a message saying so rather than letting a test pass without its fault.
 */
public final class TmpfsMount implements AutoCloseable {
    private final Path dir;
    private boolean mounted;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code megabytes} on {@code dir} (created if missing; what it held is hidden meanwhile). */
    public static TmpfsMount mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TmpfsMount m = new TmpfsMount(dir);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
        if (out != null) {
            throw new IllegalStateException("This test needs to mount a tmpfs (root or CAP_SYS_ADMIN, as in the CI "
                    + "container): `mount -t tmpfs -o size=" + megabytes + "m tmpfs " + dir + "` failed: " + out);
        }
        m.mounted = true;
        return m;
    }

    public Path dir() {
        return dir;
    }

    /** Fills the file system with {@code filler} until only {@code leaveBytes} (about) are free. */
    public Path fillLeaving(long leaveBytes) throws IOException {
        Path filler = dir.resolve("filler");
        long usable = Files.getFileStore(dir).getUsableSpace();
        byte[] block = new byte[64 * 1024];
        long toWrite = Math.max(0, usable - leaveBytes);
        try (var out = Files.newOutputStream(filler)) {
            for (long written = 0; written < toWrite; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, toWrite - written));
            }
        }
        return filler;
    }

    public long usableBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Unmounts (lazily, should a dead process still hold a file); safe to call twice. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted) {
            String out = run("umount", "-l", dir.toString());
            if (out != null) {
                throw new IOException("umount " + dir + " failed: " + out);
            }
            mounted = false;
        }
    }

    /** Runs a command; null if it succeeded, else its exit code and output. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }
}
