package io.tokenfactory.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import io.tokenfactory.testsupport.TestInfrastructure;

/**
 * Node declarations, bound as an operator writes them; every mistake refused with one
 * line naming it.
 */
@ExtendWith(OutputCaptureExtension.class)
class NodeDeclarationsTests {

    @Test
    void bindsTheDeclaredNodesAndWhichNodeServesEachRemoteModel() {
        NodeDeclarations nodes = declare(Map.of("tokenfactory.nodes[0].name", "gpu-node-7",
                "tokenfactory.nodes[0].node-class", "h100-sxm", "tokenfactory.nodes[0].energy.source", "dcgm",
                "tokenfactory.nodes[0].energy.url", "http://gpu-node-7:9400/metrics",
                "tokenfactory.nodes[0].energy.gpus", "0,1", "tokenfactory.nodes[0].energy.interval", "2s",
                "tokenfactory.inference.models[0].remote.node", "gpu-node-7"));

        NodeDeclarations.Node node = nodes.forRemoteModel("llama-3.1-8b").orElseThrow();
        assertThat(node.name()).isEqualTo("gpu-node-7");
        assertThat(node.nodeClass()).isEqualTo("h100-sxm");
        assertThat(node.source()).isEqualTo(NodeDeclarations.Source.DCGM);
        assertThat(node.meter().gpus()).containsExactly(0, 1);
        assertThat(node.meter().interval()).hasSeconds(2);
        // the node this service runs on is declared implicitly, metered automatically
        assertThat(nodes.local().name()).isEqualTo("local");
        assertThat(nodes.local().source()).isEqualTo(NodeDeclarations.Source.AUTO);
        assertThat(nodes.served(false)).extracting(NodeDeclarations.Node::name).containsExactly("gpu-node-7");
    }

    @Test
    void bindsTheEnvironmentVariableFormThatDocsEnergyMdGives() {
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("TOKENFACTORY_NODES_0_NAME", "gpu-node-7");
        environment.put("TOKENFACTORY_NODES_0_NODECLASS", "h100-sxm");
        environment.put("TOKENFACTORY_NODES_0_ENERGY_SOURCE", "dcgm");
        environment.put("TOKENFACTORY_NODES_0_ENERGY_URL", "http://gpu-node-7:9400/metrics");
        environment.put("TOKENFACTORY_NODES_0_ENERGY_GPUS", "0,1");
        environment.put("TOKENFACTORY_NODES_0_ENERGY_INTERVAL", "1s");
        environment.put("TOKENFACTORY_INFERENCE_MODELS_0_NAME", "llama-3.1-8b");
        environment.put("TOKENFACTORY_INFERENCE_MODELS_0_TASK", "generation");
        environment.put("TOKENFACTORY_INFERENCE_MODELS_0_BACKEND", "remote");
        environment.put("TOKENFACTORY_INFERENCE_MODELS_0_REMOTE_BASEURL", "http://gpu-node-7:8000/v1");
        environment.put("TOKENFACTORY_INFERENCE_MODELS_0_REMOTE_NODE", "gpu-node-7");
        Binder binder = new Binder(ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment)));

        NodeDeclarations nodes = new NodeDeclarations(binder.bindOrCreate("tokenfactory", NodesProperties.class),
                binder.bindOrCreate("tokenfactory.inference", InferenceProperties.class));

        NodeDeclarations.Node node = nodes.forRemoteModel("llama-3.1-8b").orElseThrow();
        assertThat(node.nodeClass()).isEqualTo("h100-sxm");
        assertThat(node.source()).isEqualTo(NodeDeclarations.Source.DCGM);
        assertThat(node.meter().url()).hasToString("http://gpu-node-7:9400/metrics");
        assertThat(node.meter().gpus()).containsExactly(0, 1);
    }

    @Test
    void refusesEachMistakeWithOneLineNamingTheNode() {
        assertRefused(Map.of("tokenfactory.nodes[0].name", "gpu-node-7", "tokenfactory.nodes[0].energy.source", "dcgm"),
                "tokenfactory.nodes[0] 'gpu-node-7': source dcgm needs energy.url, the exporter's Prometheus endpoint "
                        + "(for example http://gpu-node-7:9400/metrics)");
        assertRefused(
                Map.of("tokenfactory.nodes[0].name", "gpu-node-7", "tokenfactory.nodes[0].energy.source", "dcgmx"),
                "tokenfactory.nodes[0] 'gpu-node-7': unknown energy.source 'dcgmx' (nvml, dcgm, kepler, rapl, estimated, "
                        + "none or auto)");
        assertRefused(
                Map.of("tokenfactory.nodes[0].name", "gpu-node-7", "tokenfactory.nodes[0].energy.source", "none",
                        "tokenfactory.inference.models[0].remote.node", "gpu-node-8"),
                "tokenfactory.inference.models[0] 'llama-3.1-8b': remote.node 'gpu-node-8' is not declared under "
                        + "tokenfactory.nodes (declared: gpu-node-7, local)");
        assertRefused(Map.of("tokenfactory.nodes[0].name", "gpu-node-7", "tokenfactory.nodes[0].energy.source", "nvml"),
                "tokenfactory.nodes[0] 'gpu-node-7': source nvml reads the machine this service runs on, which is "
                        + "'local' (tokenfactory.inference.node); meter another node with dcgm or kepler, or none");
        assertRefused(
                Map.of("tokenfactory.nodes[0].name", "a", "tokenfactory.nodes[0].energy.source", "none",
                        "tokenfactory.nodes[1].name", "a", "tokenfactory.nodes[1].energy.source", "none"),
                "tokenfactory.nodes[1]: the name 'a' is declared twice; node names are unique in the factory");
        assertRefused(
                Map.of("tokenfactory.nodes[0].name", "k", "tokenfactory.nodes[0].energy.source", "kepler",
                        "tokenfactory.nodes[0].energy.url", "http://k:28282/metrics",
                        "tokenfactory.nodes[0].energy.interval", "10ms"),
                "tokenfactory.nodes[0] 'k': energy.interval must be between 100ms and 1m, got PT0.01S");
        assertRefused(
                Map.of("tokenfactory.nodes[0].name", "k", "tokenfactory.nodes[0].energy.source", "dcgm",
                        "tokenfactory.nodes[0].energy.url", "http://k:9400/metrics",
                        "tokenfactory.nodes[0].energy.pods", "v.*"),
                "tokenfactory.nodes[0] 'k': energy.pods applies to source kepler only");
    }

    @Test
    void theServiceRefusesToStartWithThatOneLine(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(InferenceServiceApplication.class)
            .initializers(new TestInfrastructure())
            .run("--server.port=0", "--tokenfactory.nodes[0].name=local", "--tokenfactory.nodes[1].name=gpu-node-7",
                    "--tokenfactory.nodes[1].energy.source=dcgm"))
            .isInstanceOf(BeanCreationException.class);

        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START").contains("""
                Description:

                tokenfactory.nodes[1] 'gpu-node-7': source dcgm needs energy.url, the exporter's Prometheus endpoint \
                (for example http://gpu-node-7:9400/metrics)
                """);
    }

    @Test
    void theFailureAnalysisIsTheLineItself() {
        FailureAnalysis analysis = new NodeConfigurationFailureAnalyzer()
            .analyze(new BeanCreationException("nodeDeclarations", new InvalidNodeConfiguration("what is wrong")));

        assertThat(analysis.getDescription()).isEqualTo("what is wrong");
        assertThat(analysis.getAction()).contains("tokenfactory.nodes");
    }

    private static void assertRefused(Map<String, String> properties, String line) {
        assertThatThrownBy(() -> declare(properties)).isInstanceOf(InvalidNodeConfiguration.class).hasMessage(line);
    }

    private static NodeDeclarations declare(Map<String, String> declared) {
        Map<String, String> properties = new LinkedHashMap<>(declared);
        properties.putIfAbsent("tokenfactory.inference.models[0].name", "llama-3.1-8b");
        properties.putIfAbsent("tokenfactory.inference.models[0].task", "generation");
        properties.putIfAbsent("tokenfactory.inference.models[0].backend", "remote");
        properties.putIfAbsent("tokenfactory.inference.models[0].remote.base-url", "http://gpu-node-7:8000/v1");
        Binder binder = new Binder(new MapConfigurationPropertySource(properties));
        NodesProperties nodes = binder.bindOrCreate("tokenfactory", NodesProperties.class);
        InferenceProperties inference = binder.bindOrCreate("tokenfactory.inference", InferenceProperties.class);
        return new NodeDeclarations(nodes, inference);
    }

}
