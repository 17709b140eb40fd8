package io.ensemble.testing;

import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden-transcript tests in the style of etcd raft's datadriven files: each file is a list of blocks (comment
 * lines starting with #, a directive, a {@code ----} line, the transcript it must produce, a blank line). With
 * rewrite on, the transcripts are regenerated instead of checked, for a deliberate change whose diff is then read.
 */
public final class GoldenScripts {
    private GoldenScripts() {
    }

    /** One dynamic test per {@code .txt} file in dir; each file runs against a fresh runner. */
    public static Stream<DynamicTest> tests(Path dir, boolean rewrite, Supplier<UnaryOperator<String>> runners)
            throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".txt")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                            () -> run(f, rewrite, runners.get())));
        }
    }

    private static void run(Path file, boolean rewrite, UnaryOperator<String> runner) throws IOException {
        StringBuilder rewritten = new StringBuilder();
        for (Block b : parse(Files.readString(file))) {
            String actual = runner.apply(b.directive());
            rewritten.append(b.comments()).append(b.directive()).append("\n----\n").append(actual)
                    .append(actual.isEmpty() ? "" : "\n").append("\n");
            if (!rewrite) {
                assertThat(actual).as("%s: %s", file.getFileName(), b.directive()).isEqualTo(b.expected());
            }
        }
        if (rewrite) {
            Files.writeString(file, rewritten.toString().stripTrailing() + "\n");
        }
    }

    private record Block(String comments, String directive, String expected) {
    }

    /** Splits a file into blocks; lines starting with # before a directive are kept as its comments. */
    private static List<Block> parse(String text) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            StringBuilder comments = new StringBuilder();
            while (i < lines.length && (lines[i].isBlank() || lines[i].startsWith("#"))) {
                if (lines[i].startsWith("#")) {
                    comments.append(lines[i]).append("\n");
                }
                i++;
            }
            if (i >= lines.length) {
                break;
            }
            String directive = lines[i++];
            if (i >= lines.length || !lines[i].equals("----")) {
                throw new IllegalArgumentException("expected ---- after '" + directive + "'");
            }
            i++;
            List<String> expected = new ArrayList<>();
            while (i < lines.length && !lines[i].isEmpty()) {
                expected.add(lines[i++]);
            }
            blocks.add(new Block(comments.toString(), directive, String.join("\n", expected)));
        }
        return blocks;
    }
}
