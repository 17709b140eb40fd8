package io.ensemble.checker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The memo of the search: configurations (operations placed, register state) already explored. Reaching one again
 * means its whole subtree has already failed.
 *
 * <p>Indeterminate operations that may never happen ("optional") are kept apart: a configuration with the same
 * definite operations placed and the same state, but a superset of the optional ones placed, is no better off (it has
 * only used up options), so it counts as visited too. That stops the search from cycling through optional creates
 * and deletes that lead back to the same state. The definite part is hashed incrementally (Zobrist: one random word
 * per operation, XORed in and out), so a lookup copies bitsets only when the configuration is new.
 */
final class VisitedConfigurations {
    private record Config(long[] definite, long[] optional, RegisterState state) {
    }

    private final long[] zobrist;
    private final HashMap<Long, List<Config>> configs = new HashMap<>();
    private int size;
    private long bytes;

    VisitedConfigurations(int operations) {
        zobrist = new long[operations];
        SplittableRandom random = new SplittableRandom(0x5eed);
        for (int i = 0; i < operations; i++) {
            zobrist[i] = random.nextLong();
        }
    }

    long zobrist(int op) {
        return zobrist[op];
    }

    /** Adds the configuration; false if it, or one it is no better than, was already there. */
    boolean add(long[] definite, long definiteHash, long[] optional, RegisterState state) {
        long key = definiteHash ^ (state.hashCode() * 0x9E3779B97F4A7C15L);
        List<Config> bucket = configs.get(key);
        if (bucket == null) {
            bucket = new ArrayList<>(1);
            configs.put(key, bucket);
        }
        for (Config c : bucket) {
            if (c.state().equals(state) && Arrays.equals(c.definite(), definite) && subset(c.optional(), optional)) {
                return false;
            }
        }
        bucket.add(new Config(definite.clone(), optional.clone(), state));
        size++;
        bytes += 8L * (definite.length + optional.length) + 112;
        return true;
    }

    int size() {
        return size;
    }

    /** A rough count of the memory the memo holds. */
    long bytes() {
        return bytes;
    }

    private static boolean subset(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & ~b[i]) != 0) {
                return false;
            }
        }
        return true;
    }
}
