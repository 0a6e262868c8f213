package io.tokenfactory.inference.energy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

import java.util.List;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.security.InferenceWebMvcSlice;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * {@code GET /api/inference/nodes} as a Web MVC slice: how each node is metered, for
 * administrators only.
 */
@WebMvcTest(NodeController.class)
@Import(InferenceWebMvcSlice.class)
class NodeControllerTests {

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    NodeEnergies nodes;

    @Test
    void showsEachNodesDeclaredAndActualSourceItsFallbackAndProblem() {
        when(nodes.status()).thenReturn(List.of(
                new NodeEnergies.NodeStatus("local", null, "auto", EnergySource.ESTIMATED, "cpu", true,
                        "NVML: no NVIDIA driver library", null),
                new NodeEnergies.NodeStatus("gpu-node-7", "h100-sxm", "dcgm", EnergySource.NONE, "gpu0,gpu1", false,
                        null, "exporter answered 503")));

        assertThat(mvc.get().uri("/api/inference/nodes").header(HttpHeaders.AUTHORIZATION, "Bearer admin"))
            .hasStatusOk()
            .bodyJson()
            .isLenientlyEqualTo("""
                    [{"node": "local", "declaredSource": "auto", "source": "ESTIMATED", "meterOwner": true,
                      "fallback": "NVML: no NVIDIA driver library"},
                     {"node": "gpu-node-7", "nodeClass": "h100-sxm", "source": "NONE", "device": "gpu0,gpu1",
                      "meterOwner": false, "problem": "exporter answered 503"}]""");
    }

    @Test
    void aDepartmentsKeyMayNotSeeTheNodes() {
        assertThat(mvc.get().uri("/api/inference/nodes").header(HttpHeaders.AUTHORIZATION, "Bearer inference"))
            .hasStatus(403);
    }

}
