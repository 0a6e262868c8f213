package io.tokenfactory.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README is the user's door and docs/ the rooms behind it: every relative link in
 * them leads to a file that exists, and every {@code #anchor} to a heading there (as
 * GitHub names headings). The README fits on a screen or three: under 200 lines.
 */
class DocumentationLinksTests {

    private static final Path ROOT = repositoryRoot();

    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

    private final Map<Path, Set<String>> anchors = new HashMap<>();

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path document : documents()) {
            for (String target : links(document)) {
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue; // http(s), mailto: another site's business
                }
                checked++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path file = path.isEmpty() ? document : document.getParent().resolve(path).normalize();
                if (!Files.exists(file)) {
                    broken.add(ROOT.relativize(document) + ": " + target + " (no such file)");
                }
                else if (hash >= 0 && !anchorsOf(file).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(document) + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(checked).as("links checked").isGreaterThan(50);
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theReadmeFitsInUnderTwoHundredLines() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md"))).hasSizeLessThan(200);
    }

    @Test
    void githubNamesHeadingsAsThisTestDoes() {
        assertThat(slug("Soak with faults and the books reconciled — `bench/soak.sh`"))
            .isEqualTo("soak-with-faults-and-the-books-reconciled--benchsoaksh");
        assertThat(slug("4. After the first start")).isEqualTo("4-after-the-first-start");
        assertThat(slug("TokenFactoryServiceDown")).isEqualTo("tokenfactoryservicedown");
        assertThat(slug("[Single sign-on](security.md) and `admin_key`")).isEqualTo("single-sign-on-and-admin_key");
    }

    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>();
        for (String top : List.of("README.md", "SECURITY.md", "CHANGELOG.md")) {
            documents.add(ROOT.resolve(top));
        }
        for (String folder : List.of("docs", "deploy", "bench")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(folder))) {
                files.filter(file -> file.toString().endsWith(".md"))
                    .filter(file -> !file.toString().contains("/target/"))
                    .sorted()
                    .forEach(documents::add);
            }
        }
        return documents;
    }

    /** The link targets outside fenced code. */
    private static List<String> links(Path document) throws IOException {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(document)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (link.find()) {
                targets.add(link.group(1));
            }
        }
        return targets;
    }

    private Set<String> anchorsOf(Path file) {
        return anchors.computeIfAbsent(file, DocumentationLinksTests::readAnchors);
    }

    private static Set<String> readAnchors(Path file) {
        Set<String> found = new LinkedHashSet<>();
        if (!file.toString().endsWith(".md")) {
            return found;
        }
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(1));
                    int times = seen.merge(slug, 1, Integer::sum);
                    found.add(times == 1 ? slug : slug + "-" + (times - 1));
                }
                Matcher html = HTML_ANCHOR.matcher(line);
                while (html.find()) {
                    found.add(html.group(1));
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * GitHub's anchor for a heading: its text as rendered (links by their text, no
     * backticks), lower case, punctuation but '-' and '_' dropped, each space a '-'.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "").replace(' ', '-');
    }

    private static Path repositoryRoot() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            if (Files.exists(directory.resolve("README.md")) && Files.isDirectory(directory.resolve("docs"))) {
                return directory;
            }
        }
        throw new IllegalStateException("no README.md and docs/ above " + Path.of("").toAbsolutePath());
    }

}
