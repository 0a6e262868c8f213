package io.tokenfactory.billing.charging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;

import org.junit.jupiter.api.Test;

/**
 * The billing time zone is handed to PostgreSQL in a form it reads the same way Java
 * does.
 */
class HourlyChargesTests {

    @Test
    void aRegionKeepsItsNameAndAFixedOffsetIsWrittenWithPosixsSign() {
        assertThat(HourlyCharges.postgresZone(ZoneId.of("Europe/Berlin"))).isEqualTo("Europe/Berlin");
        assertThat(HourlyCharges.postgresZone(ZoneId.of("Asia/Kolkata"))).isEqualTo("Asia/Kolkata");
        assertThat(HourlyCharges.postgresZone(ZoneId.of("UTC"))).isEqualTo("UTC");
        assertThat(HourlyCharges.postgresZone(ZoneId.of("Z"))).isEqualTo("UTC");
        // PostgreSQL reads 'UTC-05:30' as five and a half hours east of Greenwich
        assertThat(HourlyCharges.postgresZone(ZoneId.of("+05:30"))).isEqualTo("UTC-05:30");
        assertThat(HourlyCharges.postgresZone(ZoneId.of("UTC+05:30"))).isEqualTo("UTC-05:30");
        assertThat(HourlyCharges.postgresZone(ZoneId.of("-03:00"))).isEqualTo("UTC+03:00");
    }

}
