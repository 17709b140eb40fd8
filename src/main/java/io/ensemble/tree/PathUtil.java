package io.ensemble.tree;

/** Path helpers and ZooKeeper's PathUtils.validatePath rules. */
public final class PathUtil {
    private PathUtil() {
    }

    /** The parent path, "/" for a top-level node, null for "/". */
    public static String parent(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Returns null if valid, else the reason, following PathUtils.validatePath. */
    public static String invalidReason(String path) {
        if (path == null || path.isEmpty()) {
            return "path must not be empty";
        }
        if (path.charAt(0) != '/') {
            return "path must start with /";
        }
        if (path.length() == 1) {
            return null;
        }
        if (path.charAt(path.length() - 1) == '/') {
            return "path must not end with /";
        }
        char last = '/';
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return "null character at " + i;
            }
            if (c == '/' && last == '/') {
                return "empty node name at " + i;
            }
            if (c == '.' && last == '.' && path.charAt(i - 2) == '/'
                    && (i + 1 == path.length() || path.charAt(i + 1) == '/')) {
                return "relative paths not allowed at " + i;
            }
            if (c == '.' && last == '/' && (i + 1 == path.length() || path.charAt(i + 1) == '/')) {
                return "relative paths not allowed at " + i;
            }
            if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff)
                    || (c >= 0xfff0 && c <= 0xffff)) {
                return "invalid character at " + i;
            }
            last = c;
        }
        return null;
    }

    public static boolean isValid(String path) {
        return invalidReason(path) == null;
    }
}
