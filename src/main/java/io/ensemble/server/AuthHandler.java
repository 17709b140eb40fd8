package io.ensemble.server;

import io.ensemble.auth.DigestAuth;
import io.ensemble.wire.Err;
import io.ensemble.wire.Id;
import io.ensemble.wire.Requests;

import java.nio.charset.StandardCharsets;

/** Auth packets: digest adds "digest:user:hash" (and super rights if it matches the super digest); ip is a no-op. */
final class AuthHandler {
    private AuthHandler() {
    }

    static int authenticate(Requests.Auth auth, ClientConnection conn, String superDigest) {
        String scheme = auth.scheme();
        if ("digest".equals(scheme)) {
            byte[] bytes = auth.auth() == null ? new byte[0] : auth.auth();
            String id = DigestAuth.idFor(new String(bytes, StandardCharsets.UTF_8));
            conn.addAuthId(new Id("digest", id));
            if (id.equals(superDigest)) {
                conn.addAuthId(new Id("super", ""));
            }
            return Err.OK;
        }
        if ("ip".equals(scheme)) {
            return Err.OK;
        }
        return Err.AUTH_FAILED;
    }
}
