package io.tokenfactory.metering.usage.web;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;

import io.tokenfactory.metering.usage.UsageQueries;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;
import io.tokenfactory.metering.usage.UsageQuery.Granularity;
import io.tokenfactory.metering.usage.UsageRebuild;
import io.tokenfactory.metering.usage.UsageReport;
import io.tokenfactory.metering.usage.web.UsageParameters.Format;
import io.tokenfactory.metering.web.RequestParameters;
import io.tokenfactory.support.csv.Csv;
import io.tokenfactory.support.problem.ParameterReader;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Usage by any combination of department, agent, model and node, per minute, hour, day or
 * in total; JSON, or CSV with {@code format=csv} or {@code Accept: text/csv}. A
 * department key sees only its own department.
 */
@RestController
class UsageController {

    static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private final UsageQueries queries;

    private final UsageRebuild rebuild;

    private final Clock clock;

    UsageController(UsageQueries queries, UsageRebuild rebuild, Clock clock) {
        this.queries = queries;
        this.rebuild = rebuild;
        this.clock = clock;
    }

    /** How the usage parameters read usage's own options: a granularity and a format. */
    @InitBinder("usageParameters")
    void readOptionsStrictly(WebDataBinder binder) {
        binder.registerCustomEditor(Granularity.class,
                new ParameterReader<>((name, value) -> RequestParameters.option(name, value, Granularity.class, null)));
        binder.registerCustomEditor(Format.class, new ParameterReader<>(Format::read));
    }

    @GetMapping("/api/metering/usage")
    ResponseEntity<?> usage(@ModelAttribute @Valid UsageParameters parameters,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        UsageReport report = queries.usage(parameters.query(clock, Caller.current()));
        if (parameters.wantsCsv(accept)) {
            return ResponseEntity.ok()
                .contentType(CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"usage.csv\"")
                .body(csv(report));
        }
        return ResponseEntity.ok(report);
    }

    /** Recomputes the rollups of a window from raw usage (administrators). */
    @PostMapping("/api/metering/admin/rollups/rebuild")
    UsageRebuild.Rebuilt rebuild(@RequestParam String from, @RequestParam String to) {
        return rebuild.rebuild(QueryParameters.instant("from", from), QueryParameters.instant("to", to));
    }

    /** {@code DCGM=12.5;ESTIMATED=3.25}: each source's joules. */
    private static String mix(java.util.Map<String, UsageReport.SourceShare> mix) {
        StringBuilder cell = new StringBuilder();
        mix.forEach((source, share) -> cell.append(cell.isEmpty() ? "" : ";")
            .append(source)
            .append('=')
            .append(share.energyJoules().stripTrailingZeros().toPlainString()));
        return cell.toString();
    }

    private static String csv(UsageReport report) {
        Csv csv = new Csv();
        List<String> header = new ArrayList<>(List.of("start"));
        report.groupBy().forEach(dimension -> header.add(dimension.name().toLowerCase(java.util.Locale.ROOT)));
        header.addAll(List.of("requests", "prompt_tokens", "completion_tokens", "total_tokens", "energy_joules",
                "accelerator_seconds"));
        boolean bySource = report.groupBy().contains(Dimension.ENERGY_SOURCE);
        if (!bySource) {
            header.add("energy_sources");
        }
        header.addAll(
                List.of("tokens_without_energy", "emissions_gco2e", "tokens_with_emissions", "gco2e_per_1k_tokens"));
        csv.row(header);
        for (UsageReport.Row row : report.rows()) {
            List<Object> cells = new ArrayList<>();
            cells.add(row.start() == null ? report.from() : row.start());
            for (Dimension dimension : report.groupBy()) {
                cells.add(switch (dimension) {
                    case DEPARTMENT -> row.department();
                    case AGENT -> row.agent() == null ? "" : row.agent();
                    case MODEL -> row.model();
                    case NODE -> row.node();
                    case ENERGY_SOURCE -> row.energySource();
                    case USER -> row.user() == null ? "" : row.user();
                    case TEAM -> row.team() == null ? "" : row.team();
                    case PROJECT -> row.project() == null ? "" : row.project();
                    case DEPLOYMENT -> row.deployment() == null ? "" : row.deployment();
                });
            }
            cells.addAll(List.of(row.requests(), row.promptTokens(), row.completionTokens(), row.totalTokens(),
                    row.energyJoules(), row.acceleratorSeconds()));
            if (!bySource) {
                cells.add(mix(row.energySources()));
            }
            cells.add(row.tokensWithoutEnergy());
            cells.add(row.emissionsGramsCo2e());
            cells.add(row.tokensWithEmissions());
            cells.add(row.gramsCo2ePerThousandTokens());
            csv.row(cells);
        }
        return csv.toString();
    }

}
