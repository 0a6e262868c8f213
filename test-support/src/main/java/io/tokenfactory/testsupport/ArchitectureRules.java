package io.tokenfactory.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;

/** Rules every service keeps: services share only contracts and support code; web types stay in web packages. */
public final class ArchitectureRules {

    private static final List<String> SERVICES = List.of("gateway", "agents", "inference", "metering", "billing");

    private ArchitectureRules() {
    }

    /** @param service the service's package under {@code io.tokenfactory}, e.g. {@code billing} */
    public static void check(JavaClasses classes, String service) {
        for (String other : SERVICES) {
            if (!other.equals(service)) {
                ArchRule rule = noClasses().should().dependOnClassesThat()
                        .resideInAPackage("io.tokenfactory." + other + "..")
                        .because("services talk over REST and events, never through each other's code");
                rule.check(classes);
            }
        }
        noClasses().that().resideOutsideOfPackage("..web..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.web.bind.annotation..")
                .because("controllers and their annotations live in web packages")
                .check(classes);
        noClasses().that().resideInAPackage("..web..")
                .should().dependOnClassesThat().areAssignableTo("org.springframework.data.repository.Repository")
                .because("controllers go through a transactional service, never straight to a repository")
                .allowEmptyShould(true)
                .check(classes);
    }
}
