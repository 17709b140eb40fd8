package io.ensemble.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The digest scheme: "user:password" becomes the id "user:base64(sha1(user:password))". */
public final class DigestAuth {
    private DigestAuth() {
    }

    public static String idFor(String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        String user = colon < 0 ? userColonPassword : userColonPassword.substring(0, colon);
        try {
            byte[] hash = MessageDigest.getInstance("SHA1").digest(userColonPassword.getBytes(StandardCharsets.UTF_8));
            return user + ":" + Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is a required JDK algorithm", e);
        }
    }

    /** A digest ACL id must be exactly "user:hash". */
    public static boolean isValid(String id) {
        return id != null && id.split(":").length == 2;
    }
}
