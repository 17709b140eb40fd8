package io.ensemble.storage;

import io.ensemble.tree.NodeImage;
import io.ensemble.wire.Acl;
import io.ensemble.wire.Id;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot format: header (magic, version, zxid), sessions, then the nodes (each ACL list written once, inline
 * where it first appears, later named by index), an end marker and a CRC32 of everything before it.
 */
public final class SnapshotFile {
    static final int MAGIC = 0x454E534E; // "ENSN"
    static final int FORMAT_VERSION = 2;
    /** In place of an ACL index: the ACL list follows and gets the next index. */
    private static final int NEW_ACL = -1;

    private SnapshotFile() {
    }

    /** The content of a snapshot. */
    public record Image(long zxid, Map<Long, Integer> sessions, List<NodeImage> nodes) {
    }

    /** Source of nodes for writing: visits each node once. */
    public interface NodeSource {
        void forEachNode(Consumer<NodeImage> visitor);
    }

    /** Writes a snapshot to {@code out}: the stream is closed and the caller fsyncs and renames the file. */
    public static void write(OutputStream out, long zxid, Map<Long, Integer> sessions, NodeSource nodes)
            throws IOException {
        CRC32 crc = new CRC32();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16),
                crc));
        data.writeInt(MAGIC);
        data.writeInt(FORMAT_VERSION);
        data.writeLong(zxid);
        data.writeInt(sessions.size());
        for (Map.Entry<Long, Integer> s : sessions.entrySet()) {
            data.writeLong(s.getKey());
            data.writeInt(s.getValue());
        }
        // Most nodes share a few ACL lists: each list is written once, inline where it first appears, and later
        // nodes refer to it by index. A reader can then rebuild every node as it reads it.
        Map<List<Acl>, Integer> aclIndex = new HashMap<>();
        IOException[] failure = new IOException[1];
        nodes.forEachNode(n -> {
            if (failure[0] != null) {
                return;
            }
            try {
                data.writeBoolean(true);
                writeString(data, n.path());
                writeBytes(data, n.data());
                Integer idx = aclIndex.get(n.acl());
                if (idx == null) {
                    aclIndex.put(n.acl(), aclIndex.size());
                    data.writeInt(NEW_ACL);
                    writeAcl(data, n.acl());
                } else {
                    data.writeInt(idx);
                }
                data.writeLong(n.czxid());
                data.writeLong(n.mzxid());
                data.writeLong(n.ctime());
                data.writeLong(n.mtime());
                data.writeInt(n.version());
                data.writeInt(n.storedCversion());
                data.writeInt(n.aversion());
                data.writeLong(n.ephemeralOwner());
                data.writeLong(n.pzxid());
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        data.writeBoolean(false);
        data.flush();
        long sum = crc.getValue();
        data.writeLong(sum);
        data.flush();
        data.close();
    }

    /** A snapshot's header: the zxid it is named by and the sessions with their timeouts. */
    public record Header(long zxid, Map<Long, Integer> sessions) {
    }

    /** Reads and verifies a snapshot into memory (tests and tools). */
    public static Image read(Path file) throws IOException {
        List<NodeImage> nodes = new ArrayList<>();
        Header h = read(file, nodes::add);
        return new Image(h.zxid(), h.sessions(), nodes);
    }

    /**
     * Streams a snapshot's nodes to the consumer as they are read, then verifies the checksum; throws
     * StorageException if the file is partial or damaged (the consumer may have seen part of it by then).
     */
    public static Header read(Path file, Consumer<NodeImage> nodes) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file);
             DataInputStream data = new DataInputStream(new CheckedInputStream(new BufferedInputStream(in, 1 << 16),
                     crc))) {
            if (data.readInt() != MAGIC || data.readInt() != FORMAT_VERSION) {
                throw new StorageException("not an Ensemble snapshot (or an older format): " + file);
            }
            long zxid = data.readLong();
            int sessionCount = data.readInt();
            Map<Long, Integer> sessions = new HashMap<>();
            for (int i = 0; i < sessionCount; i++) {
                sessions.put(data.readLong(), data.readInt());
            }
            List<List<Acl>> acls = new ArrayList<>();
            while (data.readBoolean()) {
                String path = readString(data);
                byte[] bytes = readBytes(data);
                int ref = data.readInt();
                List<Acl> acl;
                if (ref == NEW_ACL) {
                    acl = readAcl(data);
                    acls.add(acl);
                } else if (ref >= 0 && ref < acls.size()) {
                    acl = acls.get(ref);
                } else {
                    throw new StorageException("snapshot " + file + " names an unknown ACL " + ref);
                }
                nodes.accept(new NodeImage(path, bytes, acl, data.readLong(), data.readLong(), data.readLong(),
                        data.readLong(), data.readInt(), data.readInt(), data.readInt(), data.readLong(),
                        data.readLong()));
            }
            long expected = crc.getValue();
            if (data.readLong() != expected) {
                throw new StorageException("snapshot checksum mismatch in " + file);
            }
            return new Header(zxid, sessions);
        } catch (EOFException e) {
            throw new StorageException("snapshot " + file + " is incomplete", e);
        }
    }

    private static void writeAcl(DataOutputStream out, List<Acl> acl) throws IOException {
        out.writeInt(acl.size());
        for (Acl a : acl) {
            out.writeInt(a.perms());
            writeString(out, a.id().scheme());
            writeString(out, a.id().id());
        }
    }

    private static List<Acl> readAcl(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new StorageException("snapshot holds a bad ACL size " + n);
        }
        List<Acl> acl = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            acl.add(new Acl(in.readInt(), new Id(readString(in), readString(in))));
        }
        return List.copyOf(acl);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > 64 * 1024 * 1024) {
            throw new StorageException("snapshot holds a bad length " + len);
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }
}
