package io.ensemble.quorum.election;

import io.ensemble.testing.GoldenScripts;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;


/**
 * Golden transcripts of elections, in the style of etcd raft's datadriven tests. Each file under
 * {@code src/test/resources/quorum/election/} is a list of blocks: a directive, a {@code ----} line, and the
 * transcript it must produce, then a blank line. Run with {@code -Dquorum.rewrite=true} to regenerate the
 * transcripts after a deliberate change, and read the diff.
 *
 * <p>Directives: {@code ensemble voters=1,2,3 [observers=4,5] [finalize=2]}, {@code start ID [zxid=HEX] [epoch=N]},
 * {@code deliver}, {@code tick [N]}, {@code run N} (deliver and tick N times), {@code partition 1,2 | 3,4,5},
 * {@code heal}, {@code crash ID}, {@code status}.
 */
class ElectionScriptTest {

    private static final Path DIR = Path.of("src/test/resources/quorum/election");
    private static final boolean REWRITE = Boolean.getBoolean("quorum.rewrite");

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException {
        return GoldenScripts.tests(DIR, REWRITE, () -> new ScriptRunner()::run);
    }

    /** Executes directives against one {@link ElectionNetwork}. */
    private static final class ScriptRunner {
        private ElectionNetwork net;

        String run(String directive) {
            String[] words = directive.trim().split("\\s+");
            String[] args = Arrays.copyOfRange(words, 1, words.length);
            switch (words[0]) {
                case "ensemble" -> {
                    int finalizeWait = Integer.parseInt(option(args, "finalize", "2"));
                    net = new ElectionNetwork(ids(option(args, "voters", "")), ids(option(args, "observers", "")),
                            new ElectionTiming(1, finalizeWait, 3, 12)).logMessages(true);
                    return "ok";
                }
                case "start" -> net.start(Long.parseLong(args[0]),
                        Long.parseUnsignedLong(option(args, "zxid", "0"), 16),
                        Long.parseLong(option(args, "epoch", "0")));
                case "deliver" -> net.deliverAll();
                case "tick" -> {
                    for (int n = args.length == 0 ? 1 : Integer.parseInt(args[0]); n > 0; n--) {
                        net.tick();
                    }
                }
                case "run" -> net.run(Integer.parseInt(args[0]));
                case "partition" -> net.partition(Arrays.stream(String.join("", args).split("\\|"))
                        .map(g -> Set.copyOf(ids(g))).toList());
                case "heal" -> net.heal();
                case "crash" -> net.crash(Long.parseLong(args[0]));
                case "status" -> {
                    return net.ids().stream().map(this::status).collect(Collectors.joining("\n"));
                }
                default -> throw new IllegalArgumentException("unknown directive: " + directive);
            }
            return String.join("\n", net.takeLog());
        }

        private String status(long id) {
            ElectionStateMachine m = net.machine(id);
            return id + " " + m.decision().map(Decision::toString)
                    .orElse(m.state() + " round=" + m.round() + " vote=" + m.currentVote());
        }

        private static String option(String[] args, String key, String fallback) {
            for (String a : args) {
                if (a.startsWith(key + "=")) {
                    return a.substring(key.length() + 1);
                }
            }
            return fallback;
        }

        private static List<Long> ids(String csv) {
            return csv.isBlank() ? List.of()
                    : Arrays.stream(csv.split(",")).map(String::trim).map(Long::parseLong).toList();
        }
    }
}
