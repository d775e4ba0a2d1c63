package dev.mllmrec.grpo.monitor;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.grpo.train.GrpoHistory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws the reward-inflation chart as a PNG: the per-step mean training reward (thin) and its moving average
 * (thick) on the left axis, the validation metric (markers) on the right axis, over steps, with a legend and the
 * flagged steps marked by red dashed lines and triangles. Rendered headless with {@link BufferedImage} and
 * {@link ImageIO}; written atomically.
 *
 * <p>Thread-safe: stateless.
 */
public final class RewardValidationChart {

    /** Image width in pixels. */
    public static final int WIDTH = 960;
    /** Image height in pixels. */
    public static final int HEIGHT = 540;

    private static final int LEFT = 80;
    private static final int RIGHT = 80;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int SMOOTHING = 10;
    private static final Color REWARD = new Color(120, 160, 220);
    private static final Color REWARD_AVG = new Color(20, 70, 170);
    private static final Color VALIDATION = new Color(230, 120, 20);
    private static final Color FLAG = new Color(210, 30, 30);
    private static final Color GRID = new Color(225, 225, 225);

    private RewardValidationChart() {
    }

    /** Renders the chart and writes it to {@code file} as PNG. */
    public static void write(Path file, List<GrpoHistory.StepPoint> steps,
                             List<GrpoHistory.ValidationPoint> validations, String metric,
                             List<InflationFlag> flags) {
        BufferedImage image = render(steps, validations, metric, flags);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("No PNG writer is available.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode the chart: " + e.getMessage(), e);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** Renders the chart. */
    public static BufferedImage render(List<GrpoHistory.StepPoint> steps,
                                       List<GrpoHistory.ValidationPoint> validations, String metric,
                                       List<InflationFlag> flags) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int pw = WIDTH - LEFT - RIGHT;
            int ph = HEIGHT - TOP - BOTTOM;

            long maxStep = 1;
            double rMin = Double.POSITIVE_INFINITY;
            double rMax = Double.NEGATIVE_INFINITY;
            for (GrpoHistory.StepPoint p : steps) {
                maxStep = Math.max(maxStep, p.step());
                rMin = Math.min(rMin, p.rewardMean());
                rMax = Math.max(rMax, p.rewardMean());
            }
            double vMin = Double.POSITIVE_INFINITY;
            double vMax = Double.NEGATIVE_INFINITY;
            for (GrpoHistory.ValidationPoint v : validations) {
                maxStep = Math.max(maxStep, v.step());
                Double value = v.metrics().get(metric);
                if (value != null) {
                    vMin = Math.min(vMin, value);
                    vMax = Math.max(vMax, value);
                }
            }
            double[] r = range(rMin, rMax, -1, 1);
            double[] vr = range(vMin, vMax, 0, 1);
            Axis x = new Axis(0, maxStep, LEFT, LEFT + pw);
            Axis yr = new Axis(r[0], r[1], TOP + ph, TOP);
            Axis yv = new Axis(vr[0], vr[1], TOP + ph, TOP);

            Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
            g.setFont(small);
            FontMetrics fm = g.getFontMetrics();
            // Grid and ticks.
            for (int i = 0; i <= 5; i++) {
                int py = TOP + ph - i * ph / 5;
                g.setColor(GRID);
                g.drawLine(LEFT, py, LEFT + pw, py);
                g.setColor(REWARD_AVG);
                String left = fmt(r[0] + (r[1] - r[0]) * i / 5);
                g.drawString(left, LEFT - 8 - fm.stringWidth(left), py + 4);
                g.setColor(VALIDATION.darker());
                g.drawString(fmt(vr[0] + (vr[1] - vr[0]) * i / 5), LEFT + pw + 8, py + 4);
            }
            g.setColor(Color.DARK_GRAY);
            for (int i = 0; i <= 5; i++) {
                long s = Math.round((double) maxStep * i / 5);
                int px = x.px(s);
                g.drawLine(px, TOP + ph, px, TOP + ph + 5);
                String t = Long.toString(s);
                g.drawString(t, px - fm.stringWidth(t) / 2, TOP + ph + 20);
            }
            g.drawRect(LEFT, TOP, pw, ph);

            // Flagged steps.
            Stroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f);
            g.setColor(FLAG);
            g.setStroke(dashed);
            for (InflationFlag f : flags) {
                int px = x.px(f.step());
                g.drawLine(px, TOP, px, TOP + ph);
            }

            // Training reward per step and its moving average.
            g.setStroke(new BasicStroke(1f));
            g.setColor(REWARD);
            g.draw(line(steps, x, yr, false));
            g.setStroke(new BasicStroke(2.5f));
            g.setColor(REWARD_AVG);
            g.draw(line(steps, x, yr, true));

            // Validation metric.
            Path2D.Double vPath = new Path2D.Double();
            boolean started = false;
            for (GrpoHistory.ValidationPoint v : validations) {
                Double value = v.metrics().get(metric);
                if (value == null) {
                    continue;
                }
                if (!started) {
                    vPath.moveTo(x.px(v.step()), yv.px(value));
                    started = true;
                } else {
                    vPath.lineTo(x.px(v.step()), yv.px(value));
                }
            }
            g.setColor(VALIDATION);
            g.setStroke(new BasicStroke(2f));
            g.draw(vPath);
            for (GrpoHistory.ValidationPoint v : validations) {
                Double value = v.metrics().get(metric);
                if (value != null) {
                    g.fillOval(x.px(v.step()) - 4, yv.px(value) - 4, 9, 9);
                }
            }
            g.setColor(FLAG);
            for (InflationFlag f : flags) {
                for (GrpoHistory.ValidationPoint v : validations) {
                    Double value = v.metrics().get(metric);
                    if (v.step() == f.step() && value != null) {
                        int px = x.px(f.step());
                        int py = yv.px(value) - 10;
                        g.fillPolygon(new Polygon(new int[] {px - 6, px + 6, px}, new int[] {py - 10, py - 10, py},
                                3));
                    }
                }
            }

            // Title, axis labels, legend.
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            String title = "GRPO: training reward vs validation " + metric;
            g.drawString(title, (WIDTH - g.getFontMetrics().stringWidth(title)) / 2, 30);
            g.setFont(label);
            g.drawString("step", LEFT + pw / 2 - 12, HEIGHT - 18);
            drawVertical(g, "training reward (mean per step)", 22, TOP + ph / 2, REWARD_AVG);
            drawVertical(g, "validation " + metric, WIDTH - 18, TOP + ph / 2, VALIDATION.darker());
            legend(g, LEFT + 12, TOP + 12, metric, !flags.isEmpty());
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void legend(Graphics2D g, int x0, int y0, String metric, boolean flagged) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String[] names = {"training reward", "moving average (" + SMOOTHING + " steps)", "validation " + metric,
            "reward inflation flag"};
        Color[] colors = {REWARD, REWARD_AVG, VALIDATION, FLAG};
        int rows = flagged ? 4 : 3;
        int w = 0;
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < rows; i++) {
            w = Math.max(w, fm.stringWidth(names[i]));
        }
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x0, y0, w + 44, rows * 18 + 8);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x0, y0, w + 44, rows * 18 + 8);
        for (int i = 0; i < rows; i++) {
            int y = y0 + 16 + i * 18;
            g.setColor(colors[i]);
            g.setStroke(new BasicStroke(i == 1 ? 2.5f : 1.5f));
            if (i == 2) {
                g.fillOval(x0 + 14, y - 8, 9, 9);
            } else {
                g.drawLine(x0 + 6, y - 4, x0 + 30, y - 4);
            }
            g.setColor(Color.BLACK);
            g.drawString(names[i], x0 + 38, y);
        }
    }

    private static void drawVertical(Graphics2D g, String text, int x, int centreY, Color color) {
        Graphics2D r = (Graphics2D) g.create();
        try {
            r.setColor(color);
            r.rotate(-Math.PI / 2, x, centreY);
            r.drawString(text, x - r.getFontMetrics().stringWidth(text) / 2, centreY);
        } finally {
            r.dispose();
        }
    }

    private static Path2D line(List<GrpoHistory.StepPoint> steps, Axis x, Axis y, boolean smooth) {
        Path2D.Double path = new Path2D.Double();
        double sum = 0;
        for (int i = 0; i < steps.size(); i++) {
            GrpoHistory.StepPoint p = steps.get(i);
            double value = p.rewardMean();
            if (smooth) {
                sum += value;
                if (i >= SMOOTHING) {
                    sum -= steps.get(i - SMOOTHING).rewardMean();
                }
                value = sum / Math.min(i + 1, SMOOTHING);
            }
            if (i == 0) {
                path.moveTo(x.px(p.step()), y.px(value));
            } else {
                path.lineTo(x.px(p.step()), y.px(value));
            }
        }
        return path;
    }

    /** The data range padded by 5%, or the fallback when there is no data. */
    private static double[] range(double min, double max, double fallbackMin, double fallbackMax) {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            return new double[] {fallbackMin, fallbackMax};
        }
        double span = max - min;
        if (span < 1e-9) {
            span = Math.max(Math.abs(max) * 0.1, 0.05);
        }
        return new double[] {min - 0.05 * span, max + 0.05 * span};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Maps data values linearly to pixels. */
    private record Axis(double min, double max, int pxMin, int pxMax) {
        int px(double v) {
            double t = max == min ? 0.5 : (v - min) / (max - min);
            return (int) Math.round(pxMin + t * (pxMax - pxMin));
        }
    }
}
