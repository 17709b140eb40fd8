package io.ensemble.quorum.zab;

import io.ensemble.testing.GoldenScripts;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;


/**
 * Golden transcripts of Zab runs, in the style of etcd raft's datadriven tests. Each file under
 * {@code src/test/resources/zab/} is a list of blocks: a directive, a {@code ----} line, the transcript it must
 * produce (messages delivered as {@code from->to}, what each Ready asks of the log and tree indented, events), and
 * a blank line. Run with {@code -Dzab.rewrite=true} to regenerate after a deliberate change, then read the diff.
 *
 * <p>Directives: {@code cluster voters=1,2,3 [observers=4] [window=N] [init=N] [sync=N]}, {@code lead ID},
 * {@code follow ID LEADER}, {@code elect}, {@code deliver}, {@code stabilize}, {@code propose ID [N]},
 * {@code fsync [ID]}, {@code tick [ID|all] [N]}, {@code partition 1,2}, {@code heal}, {@code crash ID},
 * {@code restart ID}, {@code status}.
 */
class ZabScriptTest {

    private static final Path DIR = Path.of("src/test/resources/zab");
    private static final boolean REWRITE = Boolean.getBoolean("zab.rewrite");

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException {
        return GoldenScripts.tests(DIR, REWRITE, () -> new Runner()::run);
    }

    /** Executes directives against one {@link SimCluster}; a directive's output is the trace it added. */
    private static final class Runner {
        private SimCluster c;

        String run(String directive) {
            String[] words = directive.trim().split("\\s+");
            String[] args = Arrays.copyOfRange(words, 1, words.length);
            if (words[0].equals("cluster")) {
                c = new SimCluster(ids(option(args, "voters", "")), ids(option(args, "observers", "")),
                        Integer.parseInt(option(args, "init", "5")), Integer.parseInt(option(args, "sync", "3")),
                        Integer.parseInt(option(args, "window", "500")));
                return "ok";
            }
            int from = c.trace.size();
            switch (words[0]) {
                case "lead" -> c.lead(id(args[0]));
                case "follow" -> c.follow(id(args[0]), id(args[1]));
                case "elect" -> c.elect(null);
                case "deliver" -> c.deliverAll();
                case "stabilize" -> c.stabilize();
                case "propose" -> {
                    for (int n = args.length > 1 ? Integer.parseInt(args[1]) : 1; n > 0; n--) {
                        c.propose(id(args[0]));
                    }
                }
                case "fsync" -> {
                    if (args.length == 0) {
                        c.fsyncAll();
                    } else {
                        c.fsync(id(args[0]));
                    }
                }
                case "tick" -> tick(args);
                case "partition" -> c.partition(ids(args[0]));
                case "heal" -> c.heal();
                case "crash" -> c.crash(id(args[0]));
                case "restart" -> c.restart(id(args[0]));
                case "status" -> {
                    return c.servers().stream().map(SimServer::toString).collect(Collectors.joining("\n"))
                            + "\ncommitted " + CommitLedger.zxids(c.committed());
                }
                default -> throw new IllegalArgumentException("unknown directive " + words[0]);
            }
            return String.join("\n", c.trace.subList(from, c.trace.size()));
        }

        private void tick(String[] args) {
            boolean all = args.length == 0 || args[0].equals("all");
            int times = args.length > 1 ? Integer.parseInt(args[1]) : 1;
            for (int n = 0; n < times; n++) {
                if (all) {
                    c.tickAll();
                } else {
                    c.tick(id(args[0]));
                }
            }
        }

        private static long id(String s) {
            return Long.parseLong(s);
        }

        private static Set<Long> ids(String list) {
            return list.isEmpty() ? Set.of()
                    : Arrays.stream(list.split(",")).map(String::trim).map(Long::parseLong).collect(Collectors.toSet());
        }

        private static String option(String[] args, String key, String fallback) {
            return Arrays.stream(args).filter(a -> a.startsWith(key + "=")).map(a -> a.substring(key.length() + 1))
                    .findFirst().orElse(fallback);
        }
    }
}
