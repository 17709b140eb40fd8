package io.ensemble.config;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parsers for zoo.cfg values. Each returns null (or throws a RuntimeException) for a bad value; {@link ConfigReader}
 * turns that into a {@link ConfigException} that names the key and the source.
 */
final class Values {
    private static final Pattern FOUR_LETTER_WORD = Pattern.compile("[a-z]{4}");

    private Values() {
    }

    /** Parses a value; null or any RuntimeException means "not valid". */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text);
    }

    static Parser<Long> longIn(long min, long max) {
        return s -> {
            long v = Long.parseLong(s);
            return v >= min && v <= max ? v : null;
        };
    }

    static Parser<Integer> intIn(int min, int max) {
        return s -> {
            int v = Integer.parseInt(s);
            return v >= min && v <= max ? v : null;
        };
    }

    static final Parser<Integer> PORT = intIn(0, 65535);

    /** jute.maxbuffer: ZooKeeper uses Integer.decode; we take decimal or 0x hex, not octal (010 would be 8). */
    static final Parser<Integer> SIZE = s -> {
        String lower = s.toLowerCase(Locale.ROOT);
        int v = lower.startsWith("0x") ? Integer.parseInt(lower.substring(2), 16) : Integer.parseInt(s);
        return v > 0 ? v : null;
    };

    /** Strict, unlike Boolean.parseBoolean: a typo must not silently mean false. */
    static final Parser<Boolean> BOOLEAN = s -> switch (s.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> null;
    };

    /** forceSync is yes/no in ZooKeeper; true/false is accepted too. */
    static final Parser<Boolean> YES_NO = s -> switch (s.toLowerCase(Locale.ROOT)) {
        case "yes", "true" -> true;
        case "no", "false" -> false;
        default -> null;
    };

    static final Parser<Path> PATH = Path::of;

    /** "id:digest" as used by zookeeper.DigestAuthenticationProvider.superDigest. */
    static final Parser<String> DIGEST = s -> {
        int colon = s.indexOf(':');
        return colon > 0 && colon < s.length() - 1 ? s : null;
    };

    /** Comma list, items trimmed and lower-cased, empty items dropped; "*" allows every word. */
    static final Parser<Set<String>> FOUR_LETTER_WORDS = s -> {
        Set<String> words = new LinkedHashSet<>();
        for (String item : s.split(",")) {
            String w = item.trim().toLowerCase(Locale.ROOT);
            if (w.isEmpty()) {
                continue;
            }
            if (!w.equals("*") && !FOUR_LETTER_WORD.matcher(w).matches()) {
                return null;
            }
            words.add(w);
        }
        return words;
    };

    /** "user:****": the digest is a password hash, keep it out of logs and the conf output. */
    static String maskDigest(String digest) {
        int colon = digest.indexOf(':');
        return (colon < 0 ? "" : digest.substring(0, colon + 1)) + "****";
    }
}
