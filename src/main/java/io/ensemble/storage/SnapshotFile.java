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
 * The snapshot format: header (magic, version, zxid), sessions, the ACL table (each distinct ACL list once),
 * then the nodes (each naming its ACL by index), an end marker and a CRC32 of everything before it.
 */
public final class SnapshotFile {
    static final int MAGIC = 0x454E534E; // "ENSN"
    static final int FORMAT_VERSION = 1;

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
        // Nodes are written first into the stream and the ACL table is built on the way; ACL lists are shared by
        // most nodes, so each node refers to its list by index and the table follows the nodes.
        Map<List<Acl>, Integer> aclIndex = new HashMap<>();
        List<List<Acl>> aclTable = new ArrayList<>();
        IOException[] failure = new IOException[1];
        nodes.forEachNode(n -> {
            if (failure[0] != null) {
                return;
            }
            try {
                Integer idx = aclIndex.get(n.acl());
                if (idx == null) {
                    idx = aclTable.size();
                    aclIndex.put(n.acl(), idx);
                    aclTable.add(n.acl());
                }
                data.writeBoolean(true);
                writeString(data, n.path());
                writeBytes(data, n.data());
                data.writeInt(idx);
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
        data.writeInt(aclTable.size());
        for (List<Acl> acl : aclTable) {
            data.writeInt(acl.size());
            for (Acl a : acl) {
                data.writeInt(a.perms());
                writeString(data, a.id().scheme());
                writeString(data, a.id().id());
            }
        }
        data.flush();
        long sum = crc.getValue();
        data.writeLong(sum);
        data.flush();
        data.close();
    }

    /** Reads and verifies a snapshot; throws StorageException if it is partial or its checksum does not match. */
    public static Image read(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file);
             DataInputStream data = new DataInputStream(new CheckedInputStream(new BufferedInputStream(in, 1 << 16),
                     crc))) {
            if (data.readInt() != MAGIC || data.readInt() != FORMAT_VERSION) {
                throw new StorageException("not an Ensemble snapshot: " + file);
            }
            long zxid = data.readLong();
            int sessionCount = data.readInt();
            Map<Long, Integer> sessions = new HashMap<>();
            for (int i = 0; i < sessionCount; i++) {
                sessions.put(data.readLong(), data.readInt());
            }
            record Raw(String path, byte[] data, int acl, long czxid, long mzxid, long ctime, long mtime, int version,
                       int cversion, int aversion, long owner, long pzxid) {
            }
            List<Raw> raw = new ArrayList<>();
            while (data.readBoolean()) {
                raw.add(new Raw(readString(data), readBytes(data), data.readInt(), data.readLong(), data.readLong(),
                        data.readLong(), data.readLong(), data.readInt(), data.readInt(), data.readInt(),
                        data.readLong(), data.readLong()));
            }
            int aclCount = data.readInt();
            List<List<Acl>> acls = new ArrayList<>(aclCount);
            for (int i = 0; i < aclCount; i++) {
                int n = data.readInt();
                List<Acl> acl = new ArrayList<>(n);
                for (int j = 0; j < n; j++) {
                    acl.add(new Acl(data.readInt(), new Id(readString(data), readString(data))));
                }
                acls.add(List.copyOf(acl));
            }
            long expected = crc.getValue();
            long stored = data.readLong();
            if (stored != expected) {
                throw new StorageException("snapshot checksum mismatch in " + file);
            }
            List<NodeImage> nodes = new ArrayList<>(raw.size());
            for (Raw r : raw) {
                if (r.acl < 0 || r.acl >= acls.size()) {
                    throw new StorageException("snapshot " + file + " names an unknown ACL " + r.acl);
                }
                nodes.add(new NodeImage(r.path, r.data, acls.get(r.acl), r.czxid, r.mzxid, r.ctime, r.mtime,
                        r.version, r.cversion, r.aversion, r.owner, r.pzxid));
            }
            return new Image(zxid, sessions, nodes);
        } catch (EOFException e) {
            throw new StorageException("snapshot " + file + " is incomplete", e);
        }
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
