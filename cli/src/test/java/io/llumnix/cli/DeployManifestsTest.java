package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.llumnix.core.config.ConfigSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Renders every scenario of {@code deploy/} with {@code kubectl kustomize} and checks what
 * Prometheus and our binaries will see: the monitors' selectors, ports and relabelling, the
 * engine pods' labels, and every flag our containers pass, parsed by the command itself.
 */
class DeployManifestsTest {

  static final Path DEPLOY = Path.of("../deploy");

  static Stream<String> overlays() {
    List<String> scenarios = List.of("neutral/lite-mode-scheduling/round-robin",
        "neutral/lite-mode-scheduling/load-balance", "neutral/full-mode-scheduling/load-balance",
        "pd/full-mode-scheduling/load-balance", "pd-kvs/full-mode-scheduling/load-balance");
    return Stream.concat(scenarios.stream(), scenarios.stream().map(s -> "sim/" + s));
  }

  /**
   * Flags the manifests pass that land with later features; until then the command refuses
   * them. Each must still be refused (so this list shrinks as the features land).
   */
  static final Map<String, List<String>> PENDING_FLAGS = Map.of(
      "gateway", List.of("--pd-disagg-protocol")); // prefill/decode forwarding

  static List<JsonNode> render(String overlay) throws Exception {
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", DEPLOY.resolve(overlay)
        .toString()).redirectErrorStream(true).start();
    String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(kubectl.exitValue()).as("kubectl kustomize %s: %s", overlay, output).isZero();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> documents = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(output)) {
      var iterator = yaml.readValues(parser, JsonNode.class);
      while (iterator.hasNext()) {
        documents.add(iterator.next());
      }
    }
    return documents;
  }

  static JsonNode find(List<JsonNode> documents, String kind, String name) {
    return documents.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.path("metadata").path("name").asText().equals(name)).findFirst().orElse(null);
  }

  static List<JsonNode> all(List<JsonNode> documents, String kind) {
    return documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void monitorsSelectWhatTheComponentsExpose(String overlay) throws Exception {
    List<JsonNode> documents = render(overlay);

    JsonNode control = find(documents, "ServiceMonitor", "llumnix-control-plane");
    assertThat(control).isNotNull();
    JsonNode expression = control.at("/spec/selector/matchExpressions/0");
    assertThat(expression.path("key").asText()).isEqualTo("app");
    assertThat(expression.path("operator").asText()).isEqualTo("In");
    assertThat(expression.path("values").toString()).isEqualTo("[\"gateway\",\"scheduler\"]");
    assertThat(control.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
    assertThat(control.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(control.at("/spec/endpoints/0/interval").asText()).isEqualTo("10s");
    for (String app : List.of("gateway", "scheduler")) {
      JsonNode service = find(documents, "Service", app);
      if (service == null) {
        continue; // round-robin runs no scheduler
      }
      assertThat(service.at("/metadata/labels/app").asText()).isEqualTo(app);
      assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("http");
      assertThat(service.at("/spec/ports/0/port").asInt())
          .isEqualTo(app.equals("gateway") ? 8089 : 8088);
      JsonNode pod = find(documents, "Deployment", app).at("/spec/template");
      assertThat(pod.at("/metadata/labels/app").asText()).isEqualTo(app);
      assertThat(pod.at("/spec/containers/0/ports/0/name").asText()).isEqualTo("http");
    }
    assertThat(find(documents, "Service", "gateway")).isNotNull();

    for (String type : List.of("neutral", "prefill", "decode")) {
      JsonNode monitor = find(documents, "PodMonitor", "llumnix-engine-" + type);
      assertThat(monitor).as(type).isNotNull();
      assertThat(monitor.at("/spec/selector/matchLabels").toString())
          .isEqualTo("{\"leaderworkerset.sigs.k8s.io/name\":\"" + type + "\"}");
      JsonNode endpoint = monitor.at("/spec/podMetricsEndpoints/0");
      assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
      assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
      assertThat(endpoint.path("interval").asText()).isEqualTo("10s");
      assertThat(endpoint.path("relabelings").toString()).isEqualTo("["
          + "{\"sourceLabels\":[\"__meta_kubernetes_pod_label_llumnix_io_infer_type\"],"
          + "\"targetLabel\":\"infer_type\"},"
          + "{\"sourceLabels\":[\"__meta_kubernetes_pod_label_llumnix_io_model\"],"
          + "\"targetLabel\":\"model\"}]");
    }

    List<JsonNode> engines = all(documents, "LeaderWorkerSet");
    assertThat(engines).isNotEmpty();
    for (JsonNode lws : engines) {
      String type = lws.at("/metadata/name").asText();
      JsonNode pod = lws.at("/spec/leaderWorkerTemplate/workerTemplate");
      // The PodMonitor of this type selects these pods (LWS labels them with its name).
      assertThat(type).isIn("neutral", "prefill", "decode");
      assertThat(pod.at("/metadata/labels").path("llumnix.io/infer-type").asText())
          .isEqualTo(type);
      assertThat(pod.at("/metadata/labels").path("llumnix.io/model").asText())
          .matches("[a-z0-9]([-a-z0-9_.]*[a-z0-9])?").isNotEqualTo("model");
      JsonNode engine = pod.at("/spec/containers/0");
      assertThat(engine.at("/ports/0/name").asText()).isEqualTo("metrics");
      assertThat(engine.at("/ports/0/containerPort").asInt()).isEqualTo(8000);
      assertThat(engine.at("/env/0/value").asText()).as("MODEL").contains("/");
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyFlagOurContainersPassIsOneTheCommandTakes(String overlay) throws Exception {
    List<String> checked = new ArrayList<>();
    for (JsonNode document : render(overlay)) {
      for (JsonNode container : document.findValues("containers")) {
        for (JsonNode c : container) {
          if (!c.path("image").asText().contains("/llumnix:")) {
            continue;
          }
          List<String> args = new ArrayList<>();
          c.path("args").forEach(a -> args.add(a.asText()));
          String command = args.get(0);
          List<String> pending = PENDING_FLAGS.getOrDefault(command, List.of());
          List<String> accepted = args.stream().filter(a -> pending.stream()
              .noneMatch(p -> a.equals(p) || a.startsWith(p + "="))).toList();
          parse(accepted);
          checked.add(command);
        }
      }
    }
    assertThat(checked).contains("gateway", "discovery");
    if (overlay.startsWith("sim/")) {
      assertThat(checked).contains("engine-sim");
    }
  }

  @org.junit.jupiter.api.Test
  void pendingFlagsAreStillRefused() {
    PENDING_FLAGS.forEach((command, flags) -> {
      for (String flag : flags) {
        CommandLine commandLine = Main.commandLine(ConfigSource.of(Map.of(), null),
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
            commandLine.parseArgs(command, flag + "=x")))
            .as("%s %s is accepted now: pass it in the manifests and drop it from "
                + "PENDING_FLAGS", command, flag)
            .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
      }
    });
  }

  static void parse(List<String> args) {
    CommandLine commandLine = Main.commandLine(ConfigSource.of(Map.of(), null),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    CommandLine.ParseResult result = commandLine.parseArgs(args.toArray(String[]::new));
    assertThat(result.subcommand()).as("%s", args).isNotNull();
  }
}
