package io.tokenfactory.inference.energy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Prometheus text exposition format (version 0.0.4), as DCGM exporter and Kepler
 * serve it: only the samples of the wanted metric names are parsed; a malformed line
 * among them makes the whole scrape garbage.
 */
public final class PrometheusText {

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private PrometheusText() {
    }

    public static List<Sample> samples(String exposition, Predicate<String> wanted) {
        List<Sample> samples = new ArrayList<>();
        for (String raw : exposition.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int nameEnd = 0;
            while (nameEnd < line.length() && isNameCharacter(line.charAt(nameEnd), nameEnd == 0)) {
                nameEnd++;
            }
            String name = line.substring(0, nameEnd);
            if (!wanted.test(name)) {
                continue;
            }
            if (nameEnd == 0) {
                throw new MeterUnreadable("not a metric line: " + abbreviate(line));
            }
            Map<String, String> labels = new LinkedHashMap<>();
            int at = nameEnd;
            if (at < line.length() && line.charAt(at) == '{') {
                at = labels(line, at + 1, labels);
            }
            String[] rest = line.substring(at).strip().split("\\s+");
            if (rest.length < 1 || rest[0].isEmpty()) {
                throw new MeterUnreadable("no value on: " + abbreviate(line));
            }
            samples.add(new Sample(name, labels, value(rest[0], line)));
        }
        return samples;
    }

    /**
     * Reads {@code a="x",b="y"}} from {@code at}; returns the index after the closing
     * brace.
     */
    private static int labels(String line, int at, Map<String, String> labels) {
        int i = at;
        while (true) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                i++;
            }
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            int nameStart = i;
            while (i < line.length() && isNameCharacter(line.charAt(i), i == nameStart) && line.charAt(i) != ':') {
                i++;
            }
            if (i == nameStart || i + 1 >= line.length() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                throw new MeterUnreadable("malformed labels on: " + abbreviate(line));
            }
            String label = line.substring(nameStart, i);
            i += 2;
            StringBuilder value = new StringBuilder();
            while (true) {
                if (i >= line.length()) {
                    throw new MeterUnreadable("unterminated label value on: " + abbreviate(line));
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < line.length()) {
                    char escaped = line.charAt(i++);
                    value.append(escaped == 'n' ? '\n' : escaped);
                }
                else {
                    value.append(c);
                }
            }
            labels.put(label, value.toString());
        }
    }

    private static double value(String text, String line) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                }
                catch (NumberFormatException e) {
                    throw new MeterUnreadable("not a number on: " + abbreviate(line));
                }
            }
        };
    }

    private static boolean isNameCharacter(char c, boolean first) {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (!first && c >= '0' && c <= '9');
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

}
