package io.ensemble.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus' text exposition format (0.0.4), parsed strictly: every line must be blank, a comment (HELP, TYPE or
 * other) or a well-formed sample, or the parse fails naming the line. A test that reads {@code /metrics} through it
 * also proves that a scraper can.
 */
public final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern SAMPLE = Pattern.compile("^(" + NAME + ")(?:\\{(.*)\\})?[ \\t]+(\\S+)(?:[ \\t]+-?\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\[\\\\\"n])*)\"\\s*(,|$)");
    private static final Pattern TYPE = Pattern.compile("^# TYPE (" + NAME + ") (\\S+)$");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = List.copyOf(samples);
        this.types = Map.copyOf(types);
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isBlank() || (line.startsWith("#") && !line.startsWith("# TYPE "))) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                if (!TYPES.contains(type.group(2))) {
                    throw new AssertionError("line " + n + ": unknown metric type: " + line);
                }
                types.put(type.group(1), type.group(2));
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("line " + n + " is not a Prometheus sample: " + line);
            }
            samples.add(new Sample(m.group(1), labels(m.group(2), n, line), number(m.group(3), n, line)));
        }
        return new PrometheusText(samples, types);
    }

    private static Map<String, String> labels(String text, int n, String line) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            labels.put(m.group(1), m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
            at = m.end();
        }
        if (at != text.length()) {
            throw new AssertionError("line " + n + ": bad labels at '" + text.substring(at) + "': " + line);
        }
        return labels;
    }

    private static double number(String s, int n, String line) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new AssertionError("line " + n + ": bad value '" + s + "': " + line);
                }
            }
        };
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Metric family name to its declared type. */
    public Map<String, String> types() {
        return types;
    }

    /** The value of the first sample called {@code name} that has every given label (name, value, name, value...). */
    public double value(String name, String... labels) {
        for (Sample s : samples) {
            if (s.name().equals(name) && hasLabels(s, labels)) {
                return s.value();
            }
        }
        throw new AssertionError("no sample " + name + " " + List.of(labels) + " among " + samples.size());
    }

    private static boolean hasLabels(Sample s, String[] labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
