package io.tokenfactory.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.DependencyType;

/**
 * A service's packages and their dependencies as a Mermaid diagram, drawn from Spring
 * Modulith's model of the code (the same model {@code verify()} checks), and the copy of
 * it in docs/architecture.md kept equal to it. Mermaid rather than Documenter's PlantUML
 * because GitHub renders it in place; Documenter's files are written too, under
 * {@code target/spring-modulith-docs}.
 */
public final class ModuleDiagram {

    /**
     * Set to true ({@code -Dtokenfactory.docs.update=true}) to rewrite the diagrams in
     * docs instead of failing.
     */
    public static final String UPDATE_PROPERTY = "tokenfactory.docs.update";

    private ModuleDiagram() {
    }

    /**
     * {@code a --> b}: a uses b; {@code a -. events .-> b}: a only listens to b's events.
     */
    public static String mermaid(ApplicationModules modules) {
        StringBuilder diagram = new StringBuilder("```mermaid\nflowchart TD\n");
        modules.stream().sorted(Comparator.comparing(ApplicationModule::getName)).forEach(module -> {
            diagram.append("    ").append(id(module)).append("[\"").append(module.getName()).append("\"]\n");
        });
        Set<String> edges = new TreeSet<>();
        modules.forEach(module -> {
            Set<String> used = new TreeSet<>();
            module
                .getDirectDependencies(modules, DependencyType.DEFAULT, DependencyType.USES_COMPONENT,
                        DependencyType.ENTITY)
                .uniqueModules()
                .forEach(target -> used.add(target.getName()));
            used.forEach(target -> edges.add("    " + id(module) + " --> " + id(target) + "\n"));
            module.getDirectDependencies(modules, DependencyType.EVENT_LISTENER)
                .uniqueModules()
                .filter(target -> !used.contains(target.getName()))
                .forEach(target -> edges.add("    " + id(module) + " -. events .-> " + id(target) + "\n"));
        });
        edges.forEach(diagram::append);
        return diagram.append("```\n").toString();
    }

    /**
     * Fails when the diagram between {@code <!-- modules:NAME -->} and
     * {@code <!-- /modules:NAME -->} in docs/architecture.md differs from the code's;
     * rewrites it instead with {@value #UPDATE_PROPERTY}=true.
     */
    public static void checkDocumented(String service, ApplicationModules modules) {
        Path document = repositoryRoot().resolve("docs/architecture.md");
        String start = "<!-- modules:" + service + " -->\n";
        String end = "<!-- /modules:" + service + " -->";
        try {
            String text = Files.readString(document);
            int from = text.indexOf(start);
            int to = text.indexOf(end);
            if (from < 0 || to < from) {
                throw new AssertionError(document + " has no section " + start.strip() + " … " + end);
            }
            String documented = text.substring(from + start.length(), to);
            String current = mermaid(modules);
            if (documented.equals(current)) {
                return;
            }
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.writeString(document, text.substring(0, from + start.length()) + current + text.substring(to));
                return;
            }
            throw new AssertionError("The package diagram of " + service + " in docs/architecture.md is out of date."
                    + " Run this test with -D" + UPDATE_PROPERTY + "=true to rewrite it, or paste:\n" + current);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String id(ApplicationModule module) {
        return id(module.getName());
    }

    private static String id(String moduleName) {
        return moduleName.replaceAll("[^A-Za-z0-9]", "_");
    }

    private static Path repositoryRoot() {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.exists(directory.resolve("docs/architecture.md"))) {
            directory = directory.getParent();
        }
        if (directory == null) {
            throw new IllegalStateException("docs/architecture.md not found above " + Path.of("").toAbsolutePath());
        }
        return directory;
    }

}
