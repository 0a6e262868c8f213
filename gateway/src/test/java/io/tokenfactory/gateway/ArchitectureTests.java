package io.tokenfactory.gateway;

import io.tokenfactory.testsupport.ArchitectureRules;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

class ArchitectureTests {

    @Test
    void modulesKeepTheirInternalsToThemselves() {
        ApplicationModules.of(GatewayApplication.class).verify();
    }

    @Test
    void dependsOnNoOtherServiceAndKeepsWebTypesInWebPackages() {
        ArchitectureRules.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tokenfactory.gateway"), "gateway");
    }
}
