package io.ensemble.testing;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain GETs against a server JVM's HTTP port, as a kubelet probe or a scraper sends them. */
public final class AdminHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** A status and body; status -1 when nothing answered (connection refused, timeout). */
    public record Reply(int status, String body) {
        public JsonObject json() {
            return Json.createReader(new StringReader(body)).readObject();
        }
    }

    private AdminHttp() {
    }

    public static Reply get(String host, int port, String path) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Reply(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply get(int port, String path) {
        return get("127.0.0.1", port, path);
    }
}
