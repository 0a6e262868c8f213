package io.tokenfactory.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaPackage;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The architecture every service keeps: Spring Modulith's module rules and
 * {@link ArchitectureRules}, one test per rule. A service's {@code ArchitectureTests}
 * extends this with its application class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ArchitectureContract {

    private final Class<?> application;

    private final String basePackage;

    private final JavaClasses classes;

    protected ArchitectureContract(Class<?> application) {
        this.application = application;
        this.basePackage = application.getPackageName();
        this.classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(basePackage);
    }

    @Test
    void modulesKeepTheirInternalsToThemselvesAndFormNoCycle() {
        ApplicationModules.of(application).verify();
    }

    /**
     * docs/architecture.md shows the packages as they are; Documenter's PlantUML lands in
     * target/.
     */
    @Test
    void packageDiagramInTheDocsIsTheCodes() {
        ApplicationModules modules = ApplicationModules.of(application);
        ModuleDiagram.checkDocumented(basePackage.substring(basePackage.lastIndexOf('.') + 1), modules);
        new Documenter(modules).writeModulesAsPlantUml();
    }

    @Test
    void dependsOnNoOtherService() {
        ArchitectureRules.noOtherService(basePackage.substring(basePackage.lastIndexOf('.') + 1))
            .forEach(rule -> rule.check(classes));
    }

    @Test
    void webTypesStayInWebPackagesAndControllersNeverReachStorage() {
        ArchitectureRules.WEB_TYPES_IN_WEB.check(classes);
        ArchitectureRules.WEB_NEVER_REACHES_STORAGE.check(classes);
        ArchitectureRules.ENTITIES_NEVER_ON_THE_WIRE.check(classes);
    }

    @Test
    void outboundHttpOnlyInClientsAndNeverFromWeb() {
        ArchitectureRules.OUTBOUND_HTTP_ONLY_IN_CLIENTS.check(classes);
        ArchitectureRules.NO_OUTBOUND_CALLS_FROM_WEB.check(classes);
    }

    @Test
    void callerReadOnlyThroughTheSecuritySupport() {
        ArchitectureRules.CALLER_ONLY_THROUGH_SECURITY_SUPPORT.check(classes);
    }

    @Test
    void timeComesFromTheOneClockBean() {
        ArchitectureRules.TIME_FROM_THE_CLOCK_BEAN.check(classes);
        ArchitectureRules.ONE_CLOCK_BEAN.check(classes);
        ArchitectureRules.clockConfigurationIn(basePackage).check(classes);
    }

    /**
     * JSpecify: in a {@code @NullMarked} package nothing is null unless declared
     * {@code @Nullable}.
     */
    @Test
    void everyPackageIsNullMarked() {
        List<String> unmarked = classes.stream()
            .map(JavaClass::getPackage)
            .distinct()
            .filter(javaPackage -> !javaPackage.isAnnotatedWith("org.jspecify.annotations.NullMarked"))
            .map(JavaPackage::getName)
            .sorted()
            .toList();
        assertThat(unmarked).as("packages without a package-info.java marked @NullMarked").isEmpty();
    }

    @Test
    void persistenceFollowsItsOneRule() {
        ArchitectureRules.ONE_PERSISTENCE_STYLE_PER_CLASS.check(classes);
        ArchitectureRules.NO_THIRD_PERSISTENCE_API.check(classes);
    }

}
