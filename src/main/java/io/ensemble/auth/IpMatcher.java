package io.ensemble.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The {@code ip} scheme: an address, optionally with "/prefixBits", compared under the mask (IPv4 and IPv6). */
public final class IpMatcher {
    private IpMatcher() {
    }

    /** Whether an ACL id of the ip scheme is well formed. */
    public static boolean isValid(String aclId) {
        return parse(aclId) != null;
    }

    public static boolean matches(String clientAddress, String aclId) {
        Mask mask = parse(aclId);
        byte[] client = literal(clientAddress);
        if (mask == null || client == null || client.length != mask.address.length) {
            return false;
        }
        for (int bit = 0; bit < mask.bits; bit++) {
            int b = bit / 8;
            int m = 0x80 >>> (bit % 8);
            if ((client[b] & m) != (mask.address[b] & m)) {
                return false;
            }
        }
        return true;
    }

    private record Mask(byte[] address, int bits) {
    }

    private static Mask parse(String aclId) {
        if (aclId == null) {
            return null;
        }
        int slash = aclId.indexOf('/');
        byte[] addr = literal(slash < 0 ? aclId : aclId.substring(0, slash));
        if (addr == null) {
            return null;
        }
        int bits = addr.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(aclId.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (bits < 0 || bits > addr.length * 8) {
                return null;
            }
        }
        return new Mask(addr, bits);
    }

    /** Parses a numeric address only: an ACL must never trigger a DNS lookup. */
    private static byte[] literal(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        boolean v4 = s.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> c == ':' || c == '.' || c == '%'
                || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            return null;
        }
        if (v4 && s.split("\\.", -1).length != 4) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
