package io.ensemble.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the side-by-side figures as one PNG (java.awt, headless, ImageIO): a column per mode (standalone,
 * ensemble), a row per workload; each cell shows throughput (bars, linear) and latency p50 / p99 / p99.9 (bars,
 * log scale) for ZooKeeper and Ensemble.
 */
final class BenchPlot {
    static final Color ZK = new Color(0xE0, 0x7B, 0x39);
    static final Color EN = new Color(0x3A, 0x6E, 0xA5);
    private static final int CELL_W = 600;
    private static final int CELL_H = 200;
    private static final int HEADER_H = 86;
    private static final int COLUMN_HEADER_H = 28;

    /** One cell: a workload in a mode; index 0 is ZooKeeper, 1 Ensemble. Latencies in ms (p50, p99, p99.9). */
    record Cell(String mode, String workload, String unit, double[] opsPerSecond, double[][] latencyMs) {
    }

    private BenchPlot() {
    }

    static void render(Path file, String title, String subtitle, List<Cell> cells) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, Integer> modes = new LinkedHashMap<>();
        Map<String, Integer> workloads = new LinkedHashMap<>();
        for (Cell c : cells) {
            modes.putIfAbsent(c.mode(), modes.size());
            workloads.putIfAbsent(c.workload(), workloads.size());
        }
        int width = Math.max(1, modes.size()) * CELL_W;
        int height = HEADER_H + COLUMN_HEADER_H + Math.max(1, workloads.size()) * CELL_H;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 12, 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(subtitle, 12, 40);
            legend(g, 12, 52);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            for (Map.Entry<String, Integer> m : modes.entrySet()) {
                g.drawString(m.getKey(), m.getValue() * CELL_W + 12, HEADER_H + 20);
            }
            for (Cell c : cells) {
                int x = modes.get(c.mode()) * CELL_W;
                int y = HEADER_H + COLUMN_HEADER_H + workloads.get(c.workload()) * CELL_H;
                cell(g, c, x, y);
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static void legend(Graphics2D g, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(ZK);
        g.fillRect(x, y, 12, 10);
        g.setColor(Color.BLACK);
        g.drawString("Apache ZooKeeper", x + 16, y + 10);
        g.setColor(EN);
        g.fillRect(x + 130, y, 12, 10);
        g.setColor(Color.BLACK);
        g.drawString("Ensemble", x + 146, y + 10);
        g.drawString("left: throughput (ops/s, linear);  right: latency p50 / p99 / p99.9 (ms, log scale)",
                x, y + 26);
    }

    private static void cell(Graphics2D g, Cell c, int x, int y) {
        g.setColor(new Color(0xDD, 0xDD, 0xDD));
        g.drawRect(x + 4, y + 2, CELL_W - 8, CELL_H - 6);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        double ratio = c.opsPerSecond()[1] / c.opsPerSecond()[0];
        g.drawString(c.workload() + "  (" + c.unit() + ")   E/Z " + fmt(ratio) + "x", x + 12, y + 18);
        int top = y + 36;
        int bottom = y + CELL_H - 26;
        throughput(g, c, x + 40, top, 170, bottom);
        latency(g, c, x + 280, top, CELL_W - 300, bottom);
    }

    private static void throughput(Graphics2D g, Cell c, int x, int top, int w, int bottom) {
        double max = Math.max(1e-9, Math.max(c.opsPerSecond()[0], c.opsPerSecond()[1])) * 1.15;
        axis(g, x, top, bottom, List.of(0.0, max / 1.15 / 2, max / 1.15), v -> bottom - (int) ((bottom - top) * v / max),
                BenchPlot::si);
        int barW = 50;
        for (int s = 0; s < 2; s++) {
            double v = c.opsPerSecond()[s];
            int bx = x + 20 + s * (barW + 30);
            int by = bottom - (int) ((bottom - top) * v / max);
            g.setColor(s == 0 ? ZK : EN);
            g.fillRect(bx, by, barW, bottom - by);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            centered(g, si(v), bx + barW / 2, by - 3);
            centered(g, s == 0 ? "ZooKeeper" : "Ensemble", bx + barW / 2, bottom + 13);
        }
        g.drawString("ops/s", x - 30, top - 6);
    }

    private static void latency(Graphics2D g, Cell c, int x, int top, int w, int bottom) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (double[] sys : c.latencyMs()) {
            for (double v : sys) {
                if (v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (hi == 0) {
            lo = 0.1;
            hi = 1;
        }
        double minLog = Math.floor(Math.log10(lo / 2)); // the smallest bar stays visible
        double maxLog = Math.max(minLog + 1, Math.ceil(Math.log10(hi) + 0.15));
        double fMin = minLog;
        double fMax = maxLog;
        java.util.function.DoubleToIntFunction yOf = v -> {
            double lv = Math.log10(Math.max(v, Math.pow(10, fMin)));
            return bottom - (int) ((bottom - top) * (lv - fMin) / (fMax - fMin));
        };
        List<Double> ticks = new ArrayList<>();
        for (double e = minLog; e <= maxLog; e++) {
            ticks.add(Math.pow(10, e));
        }
        axis(g, x, top, bottom, ticks, yOf::applyAsInt, v -> v >= 1 ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%s", v));
        String[] labels = {"p50", "p99", "p99.9"};
        int groupW = (w - 20) / 3;
        int barW = Math.min(40, (groupW - 20) / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int p = 0; p < 3; p++) {
            int gx = x + 15 + p * groupW;
            for (int s = 0; s < 2; s++) {
                double v = c.latencyMs()[s][p];
                int bx = gx + s * (barW + 4);
                int by = yOf.applyAsInt(v);
                g.setColor(s == 0 ? ZK : EN);
                g.fillRect(bx, by, barW, bottom - by);
                g.setColor(Color.BLACK);
                centered(g, fmt(v), bx + barW / 2, by - 3);
            }
            centered(g, labels[p], gx + barW + 2, bottom + 13);
        }
        g.drawString("ms", x - 25, top - 6);
    }

    private static void axis(Graphics2D g, int x, int top, int bottom, List<Double> ticks,
                             java.util.function.DoubleToIntFunction y,
                             java.util.function.DoubleFunction<String> label) {
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawLine(x, top, x, bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks) {
            int ty = y.applyAsInt(t);
            g.setColor(new Color(0xEE, 0xEE, 0xEE));
            g.drawLine(x + 1, ty, x + 240, ty);
            g.setColor(Color.GRAY);
            g.drawLine(x - 3, ty, x, ty);
            String s = label.apply(t);
            g.drawString(s, x - 5 - fm.stringWidth(s), ty + 3);
        }
        g.setColor(Color.BLACK);
    }

    private static void centered(Graphics2D g, String s, int cx, int baseline) {
        g.drawString(s, cx - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    static String si(double v) {
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (v >= 1_000) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
