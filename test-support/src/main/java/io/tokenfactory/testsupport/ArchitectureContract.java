package io.tokenfactory.testsupport;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The architecture every service keeps: Spring Modulith's module rules and {@link ArchitectureRules}.
 * A service's {@code ArchitectureTests} extends this with its application class.
 */
public abstract class ArchitectureContract {

    private final Class<?> application;

    protected ArchitectureContract(Class<?> application) {
        this.application = application;
    }

    @Test
    void modulesKeepTheirInternalsToThemselves() {
        ApplicationModules.of(application).verify();
    }

    @Test
    void dependsOnNoOtherServiceAndKeepsWebTypesInWebPackages() {
        String basePackage = application.getPackageName();
        ArchitectureRules.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(basePackage), basePackage.substring(basePackage.lastIndexOf('.') + 1));
    }
}
