package io.ensemble.tree;

import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** PathUtil.invalidReason against protocol section 10.1 and against ZooKeeper's PathUtils itself. */
class PathUtilTest {

    private static boolean zkValid(String path) {
        try {
            PathUtils.validatePath(path);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void validPaths() {
        for (String p : List.of("/", "/a", "/a/b/c", "/...", "/.a", "/a.", "/a..", "/..a", "/a/.../b", "/ä/中",
                "/\u00a0", "/\uf900", "/\uffef", "/zookeeper", "/a b", "/a-0000000001", "/\u007e")) {
            assertThat(PathUtil.invalidReason(p)).as("%s", p).isNull();
            assertThat(PathUtil.isValid(p)).isTrue();
            assertThat(zkValid(p)).as("ZooKeeper agrees %s is valid", p).isTrue();
        }
    }

    @Test
    void invalidPaths() {
        List<String> bad = new ArrayList<>(List.of("", "a", "a/b", "//", "/a/", "/a//b", "/.", "/..", "/a/.",
                "/a/..", "/./a", "/../a", "/a/./b", "/a/../b", "/a\u0000b", "/\u0000", "/\u0001", "/\u001f",
                "/\u007f", "/\u0080", "/\u009f", "/\ud800", "/\udbff\udfff", "/\ud83d\ude00", "/\ue000", "/\uf8ff",
                "/\ufff0", "/\ufffd", "/\uffff", "/ok/\t"));
        for (String p : bad) {
            assertThat(PathUtil.invalidReason(p)).as("%s", escape(p)).isNotNull();
            assertThat(PathUtil.isValid(p)).isFalse();
            assertThat(zkValid(p)).as("ZooKeeper agrees %s is invalid", escape(p)).isFalse();
        }
        assertThat(PathUtil.invalidReason(null)).isNotNull();
    }

    /** Random paths over an alphabet of the interesting characters: we must agree with ZooKeeper on every one. */
    @Test
    void agreesWithZooKeeperOnRandomPaths() {
        char[] alphabet = {'/', '/', '/', '.', '.', 'a', 'b', '\u0000', '\u0001', '\u001f', ' ', '\u007e', '\u007f',
                '\u0080', '\u009f', '\u00a0', '\ud7ff', '\ud800', '\udc00', '\udfff', '\ue000', '\uf8ff', '\uf900',
                '\uffef', '\ufff0', '\ufffd', '\uffff', '中'};
        Random random = new Random(42);
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder();
            if (random.nextInt(10) != 0) {
                b.append('/');
            }
            int len = random.nextInt(8);
            for (int j = 0; j < len; j++) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String p = b.toString();
            if ((PathUtil.invalidReason(p) == null) != zkValid(p)) {
                disagreements.add(escape(p));
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void parentAndName() {
        assertThat(PathUtil.parent("/")).isNull();
        assertThat(PathUtil.parent("/a")).isEqualTo("/");
        assertThat(PathUtil.parent("/a/b")).isEqualTo("/a");
        assertThat(PathUtil.parent("/a/b/c")).isEqualTo("/a/b");
        assertThat(PathUtil.name("/a/b")).isEqualTo("b");
        assertThat(PathUtil.name("/a")).isEqualTo("a");
        assertThat(PathUtil.name("/")).isEmpty();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
