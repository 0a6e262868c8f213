package io.tokenfactory.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rules every service keeps, one per concern. Each is written down in
 * docs/architecture.md ("Rules the build keeps"); {@link ArchitectureContract} runs them
 * against every service.
 */
public final class ArchitectureRules {

    private static final List<String> SERVICES = List.of("gateway", "agents", "inference", "metering", "billing");

    /** The types that make an HTTP call to another process. */
    private static final Pattern HTTP_CLIENT_TYPES = Pattern
        .compile(String.join("|", "java\\.net\\.http\\.HttpClient(\\$.*)?", "java\\.net\\.HttpURLConnection",
                "org\\.springframework\\.web\\.client\\.RestClient(\\$.*)?",
                "org\\.springframework\\.web\\.client\\.RestTemplate",
                "org\\.springframework\\.web\\.reactive\\.function\\.client\\.WebClient(\\$.*)?"));

    private static final DescribedPredicate<JavaClass> HTTP_CLIENTS = new DescribedPredicate<>("HTTP client types") {
        @Override
        public boolean test(JavaClass type) {
            return HTTP_CLIENT_TYPES.matcher(type.getName()).matches();
        }
    };

    /** A {@code *Client} class of ours, or a type nested in one. */
    private static final DescribedPredicate<JavaClass> OUR_CLIENTS = new DescribedPredicate<>("*Client classes") {
        @Override
        public boolean test(JavaClass type) {
            return type.getPackageName().startsWith("io.tokenfactory.")
                    && topLevel(type).getSimpleName().endsWith("Client");
        }
    };

    private static final DescribedPredicate<JavaClass> CLOCK_CONFIGURATION = new DescribedPredicate<>(
            "ClockConfiguration") {
        @Override
        public boolean test(JavaClass type) {
            return topLevel(type).getSimpleName().equals("ClockConfiguration");
        }
    };

    /**
     * Reading the system clock directly: {@code Clock.systemUTC()},
     * {@code Instant.now()}, {@code LocalDate.now()}…
     */
    private static final DescribedPredicate<JavaCall<?>> SYSTEM_CLOCK_READS = new DescribedPredicate<>(
            "read the system clock (Clock.system*(), Instant.now(), LocalDate.now() without a Clock, …)") {
        @Override
        public boolean test(JavaCall<?> call) {
            String owner = call.getTargetOwner().getName();
            String name = call.getName();
            boolean givenAClock = call.getTarget()
                .getRawParameterTypes()
                .stream()
                .anyMatch(type -> type.getName().equals("java.time.Clock"));
            return (owner.equals("java.time.Clock") && name.startsWith("system"))
                    || (owner.startsWith("java.time.") && name.equals("now") && !givenAClock);
        }
    };

    private static final DescribedPredicate<JavaClass> USE_JPA_REPOSITORIES = new DescribedPredicate<>(
            "use Spring Data repositories") {
        @Override
        public boolean test(JavaClass type) {
            return type.getDirectDependenciesFromSelf()
                .stream()
                .anyMatch(dependency -> dependency.getTargetClass()
                    .isAssignableTo("org.springframework.data.repository.Repository"));
        }
    };

    private ArchitectureRules() {
    }

    private static JavaClass topLevel(JavaClass type) {
        JavaClass top = type;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        return top;
    }

    /** Services share only contracts and support code: they talk over REST and events. */
    public static List<ArchRule> noOtherService(String service) {
        return SERVICES.stream()
            .filter(other -> !other.equals(service))
            .map(other -> (ArchRule) noClasses().should()
                .dependOnClassesThat()
                .resideInAPackage("io.tokenfactory." + other + "..")
                .because("services talk over REST and events, never through each other's code"))
            .toList();
    }

    /** Controllers and their annotations live in {@code web} packages. */
    public static final ArchRule WEB_TYPES_IN_WEB = noClasses().that()
        .resideOutsideOfPackage("..web..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.springframework.web.bind.annotation..")
        .because("controllers and their annotations live in web packages");

    /** A controller calls a transactional service, never a repository or SQL. */
    public static final ArchRule WEB_NEVER_REACHES_STORAGE = noClasses().that()
        .resideInAPackage("..web..")
        .should()
        .dependOnClassesThat()
        .areAssignableTo("org.springframework.data.repository.Repository")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.jdbc.core.JdbcTemplate")
        .because("controllers go through a transactional service, never straight to storage")
        .allowEmptyShould(true);

    /**
     * Outbound HTTP is made by {@code *Client} classes only: one place per downstream for
     * timeouts and breakers.
     */
    public static final ArchRule OUTBOUND_HTTP_ONLY_IN_CLIENTS = noClasses().that(DescribedPredicate.not(OUR_CLIENTS))
        .should()
        .dependOnClassesThat(HTTP_CLIENTS)
        .because("each downstream has one *Client class that owns its timeouts, circuit breaker and observation")
        .allowEmptyShould(true);

    /**
     * A request thread never waits on another service from a controller: that is a
     * service's decision.
     */
    public static final ArchRule NO_OUTBOUND_CALLS_FROM_WEB = noClasses().that()
        .resideInAPackage("..web..")
        .should()
        .dependOnClassesThat(OUR_CLIENTS)
        .orShould()
        .dependOnClassesThat(HTTP_CLIENTS)
        .because("controllers delegate to a service; a service decides whether and how to call out")
        .allowEmptyShould(true);

    /**
     * The caller is read from the security context only by the security support
     * ({@code Caller}, security packages).
     */
    public static final ArchRule CALLER_ONLY_THROUGH_SECURITY_SUPPORT = noClasses().that()
        .resideOutsideOfPackages("io.tokenfactory.support.security..", "..security..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.security.core.context.SecurityContextHolder")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.security.core.context.ReactiveSecurityContextHolder")
        .because("the thread-local (or reactive) security context is read in one place: Caller and the security"
                + " packages; controllers take the authenticated principal as a parameter")
        .allowEmptyShould(true);

    /** Time comes from the service's one {@code Clock} bean, so tests can move it. */
    public static final ArchRule TIME_FROM_THE_CLOCK_BEAN = noClasses()
        .that(DescribedPredicate.not(CLOCK_CONFIGURATION))
        .should()
        .callMethodWhere(SYSTEM_CLOCK_READS)
        .because("every service has one Clock bean (ClockConfiguration); reading the system clock elsewhere makes"
                + " time untestable");

    /** The one {@code Clock} bean is declared by {@code ClockConfiguration}. */
    public static final ArchRule ONE_CLOCK_BEAN = methods().that()
        .areAnnotatedWith("org.springframework.context.annotation.Bean")
        .and()
        .haveRawReturnType(Clock.class)
        .should()
        .beDeclaredInClassesThat(CLOCK_CONFIGURATION)
        .because("one Clock bean per service, declared in its ClockConfiguration");

    /**
     * Persistence, one rule: JPA (Spring Data repositories) for aggregates an
     * administrator edits in place through the API; {@code JdbcTemplate} SQL for what is
     * appended, claimed or summed (ledgers, queues, windows, rollups, versions and
     * histories). Never both in one class, and no third API.
     */
    public static final ArchRule ONE_PERSISTENCE_STYLE_PER_CLASS = noClasses().that(USE_JPA_REPOSITORIES)
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.jdbc.core.JdbcTemplate")
        .because("a class keeps one persistence style: a JPA aggregate or SQL, not both")
        .allowEmptyShould(true);

    public static final ArchRule NO_THIRD_PERSISTENCE_API = noClasses().should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.jdbc.core.simple.JdbcClient")
        .because("SQL goes through JdbcTemplate, JPA through Spring Data: two styles, each with its stated use");

    /** Entities never travel: a web package never sees a JPA entity. */
    public static final ArchRule ENTITIES_NEVER_ON_THE_WIRE = noClasses().that()
        .resideInAPackage("..web..")
        .should()
        .dependOnClassesThat()
        .areAnnotatedWith("jakarta.persistence.Entity")
        .because("controllers answer with records, never with entities")
        .allowEmptyShould(true);

    /** The clock configuration, where the rules above require it. */
    public static ArchRule clockConfigurationIn(String basePackage) {
        return classes().that()
            .haveSimpleName("ClockConfiguration")
            .should()
            .resideInAPackage(basePackage)
            .because("each service declares its clock once, at its root");
    }

}
