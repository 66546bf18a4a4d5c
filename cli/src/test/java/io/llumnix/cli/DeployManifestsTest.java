package io.llumnix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.llumnix.core.config.ConfigSource;
import io.llumnix.gateway.forward.VllmKvtForwarder;
import io.llumnix.gateway.mirror.MirrorConfig;
import io.vertx.core.buffer.Buffer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
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
 * engine pods' labels, and every flag our containers pass, parsed by the command itself. The
 * traffic-splitting scenarios' routes are checked by {@link TrafficSplittingManifestsTest}.
 */
class DeployManifestsTest {

  static final Path DEPLOY = Path.of("../deploy");

  static Stream<String> overlays() {
    List<String> scenarios = List.of("neutral/lite-mode-scheduling/round-robin",
        "neutral/lite-mode-scheduling/load-balance", "neutral/full-mode-scheduling/load-balance",
        "pd/full-mode-scheduling/load-balance", "pd-kvs/full-mode-scheduling/load-balance",
        "traffic-mirror", "traffic-splitting/weight", "traffic-splitting/prefix");
    return Stream.concat(scenarios.stream(), scenarios.stream().map(s -> "sim/" + s));
  }

  static Stream<String> pdOverlays() {
    return overlays().filter(o -> o.contains("pd"));
  }

  static Stream<String> mirrorOverlays() {
    return overlays().filter(o -> o.contains("traffic-mirror"));
  }

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

  /** Whether a Service's {@code selector} selects pods labelled {@code labels}. */
  static boolean selects(JsonNode selector, JsonNode labels) {
    return !selector.isEmpty() && selector.properties().stream()
        .allMatch(e -> labels.path(e.getKey()).asText().equals(e.getValue().asText()));
  }

  /** The Deployments whose pods {@code service} selects. */
  static List<JsonNode> selected(List<JsonNode> documents, JsonNode service) {
    return all(documents, "Deployment").stream().filter(d -> selects(service.at("/spec/selector"),
        d.at("/spec/template/metadata/labels"))).toList();
  }

  /** The container named {@code name} of a pod template. */
  static JsonNode container(JsonNode pod, String name) {
    for (JsonNode c : pod.at("/spec/containers")) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name + " in " + pod);
  }

  static List<String> args(JsonNode container) {
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    return args;
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
    // The monitor scrapes the Services gateway and scheduler only, and each routes to its own
    // Deployment only: another gateway (traffic-mirror's mirror target, traffic-splitting's
    // external server) has an app label of its own, so it is neither scraped as the gateway
    // nor behind the Service gateway.
    for (JsonNode service : all(documents, "Service")) {
      String name = service.at("/metadata/name").asText();
      String app = service.at("/metadata/labels/app").asText();
      if (app.equals("gateway") || app.equals("scheduler")) {
        assertThat(name).as("Service labelled app=%s", app).isEqualTo(app);
        assertThat(selected(documents, service).stream()
            .map(d -> d.at("/metadata/name").asText()).toList())
            .as("Deployments behind Service %s", name).containsExactly(name);
      }
    }

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
          List<String> args = args(c);
          // Values too, as the command checks them before it starts anything.
          switch (command(args)) {
            case GatewayCommand gateway -> gateway.options.config();
            case EngineSimCommand engine -> engine.settings();
            default -> { }
          }
          checked.add(args.get(0));
        }
      }
    }
    assertThat(checked).contains("gateway", "discovery");
    if (overlay.startsWith("sim/")) {
      assertThat(checked).contains("engine-sim");
    }
  }

  /**
   * A prefill/decode scenario's gateway forwards over vllm-kvt, and each engine serves its KV
   * where its discovery sidecar says (the aux port a decode engine is sent to): engine-sim's
   * port plus its KV-transfer offset, or vLLM's connector rpc_port.
   */
  @ParameterizedTest
  @MethodSource("pdOverlays")
  void prefillAndDecodeEnginesServeTheirKvWhereDiscoveryAdvertisesIt(String overlay)
      throws Exception {
    List<JsonNode> documents = render(overlay);
    JsonNode gatewayPod = find(documents, "Deployment", "gateway").at("/spec/template");
    GatewayCommand gateway = (GatewayCommand) command(args(container(gatewayPod, "gateway")));
    assertThat(gateway.options.config().forwarder()).isEqualTo(VllmKvtForwarder.NAME);

    List<String> types = new ArrayList<>();
    for (JsonNode lws : all(documents, "LeaderWorkerSet")) {
      String type = lws.at("/metadata/name").asText();
      types.add(type);
      JsonNode pod = lws.at("/spec/leaderWorkerTemplate/workerTemplate");
      DiscoveryCommand discovery = (DiscoveryCommand) command(args(container(pod, "discovery")));
      assertThat(discovery.instanceType).as(overlay + " " + type).isEqualTo(type);
      assertThat(discovery.kvTransferIp).as("reachable from other pods").isEqualTo("$(POD_IP)");
      List<String> engine = args(container(pod, "engine"));
      if (overlay.startsWith("sim/")) {
        EngineSimCommand sim = (EngineSimCommand) command(engine);
        assertThat(sim.kvRole).as(overlay + " " + type).isEqualTo(type);
        assertThat(sim.port).isEqualTo(discovery.entrypointPort);
        assertThat(sim.port + sim.kvTransferPortOffset).as(overlay + " " + type + " KV port")
            .isEqualTo(discovery.kvTransferPort);
      } else {
        assertThat(engine.get(engine.indexOf("--port") + 1))
            .isEqualTo(Integer.toString(discovery.entrypointPort));
        JsonNode kv = new ObjectMapper().readTree(
            engine.get(engine.indexOf("--kv-transfer-config") + 1));
        assertThat(kv.at("/kv_connector_extra_config/rpc_port").asInt())
            .as(overlay + " " + type + " KV port").isEqualTo(discovery.kvTransferPort);
        assertThat(kv.path("kv_role").asText()).as(overlay + " " + type)
            .isIn(type.equals("decode") ? List.of("kv_consumer")
                : List.of("kv_producer", "kv_both"));
      }
    }
    assertThat(types).containsExactlyInAnyOrder("prefill", "decode");
  }

  /**
   * The traffic-mirror gateway reads its mirror config from the ConfigMap mounted as a
   * directory, and the config sends copies to the mirror target's Service: a gateway in front
   * of the engine of its own pod.
   */
  @ParameterizedTest
  @MethodSource("mirrorOverlays")
  void theGatewayMirrorsToTheTargetThroughItsMountedConfigMap(String overlay) throws Exception {
    List<JsonNode> documents = render(overlay);
    JsonNode pod = find(documents, "Deployment", "gateway").at("/spec/template");
    GatewayCommand gateway = (GatewayCommand) command(args(container(pod, "gateway")));
    MirrorConfig config = MirrorConfig.parse(Buffer.buffer(
        mountedFile(documents, pod, Path.of(gateway.options.mirrorConfig))));
    assertThat(config.enabled()).isTrue();
    gatewayOverItsOwnEngine(documents, URI.create(config.target()));
  }

  /**
   * The content of {@code file} as the gateway container of {@code pod} sees it: a key of the
   * ConfigMap mounted, whole, as the file's directory (with subPath or items the kubelet would
   * never update the file).
   */
  static String mountedFile(List<JsonNode> documents, JsonNode pod, Path file) {
    JsonNode mount = null;
    for (JsonNode m : container(pod, "gateway").path("volumeMounts")) {
      if (Path.of(m.path("mountPath").asText()).equals(file.getParent())) {
        mount = m;
      }
    }
    assertThat(mount).as("a volume mounted at %s", file.getParent()).isNotNull();
    assertThat(mount.has("subPath")).as("subPath mounts are not updated").isFalse();
    JsonNode volume = null;
    for (JsonNode v : pod.at("/spec/volumes")) {
      if (v.path("name").asText().equals(mount.path("name").asText())) {
        volume = v;
      }
    }
    assertThat(volume).isNotNull();
    assertThat(volume.at("/configMap/items").isMissingNode()).isTrue();
    JsonNode configMap = find(documents, "ConfigMap", volume.at("/configMap/name").asText());
    assertThat(configMap).as("the ConfigMap of volume %s", volume).isNotNull();
    JsonNode content = configMap.path("data").path(file.getFileName().toString());
    assertThat(content.isTextual()).as("%s in %s", file.getFileName(), configMap).isTrue();
    return content.asText();
  }

  /**
   * The pod template behind the Service of {@code url}: one Deployment, whose gateway listens
   * on the Service's port, round-robin over the engine of its own pod, neither finding the
   * scenario's engines in Redis nor mirroring itself.
   */
  static JsonNode gatewayOverItsOwnEngine(List<JsonNode> documents, URI url) {
    JsonNode service = find(documents, "Service", url.getHost());
    assertThat(service).as("Service %s", url.getHost()).isNotNull();
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(url.getPort());
    List<JsonNode> behind = selected(documents, service);
    assertThat(behind).hasSize(1);
    JsonNode pod = behind.get(0).at("/spec/template");
    JsonNode gatewayContainer = container(pod, "gateway");
    assertThat(gatewayContainer.at("/ports/0/name").asText())
        .isEqualTo(service.at("/spec/ports/0/targetPort").asText());
    GatewayCommand gateway = (GatewayCommand) command(args(gatewayContainer));
    assertThat(gateway.options.port)
        .isEqualTo(gatewayContainer.at("/ports/0/containerPort").asInt());
    assertThat(gateway.options.mirrorConfig).as("%s mirrors nothing", url).isEmpty();
    assertThat(gateway.options.schedulers()).as("round-robin").isEmpty();
    assertThat(gateway.options.discovery.discovery).isEqualTo("endpoints");
    EngineSimCommand engine = (EngineSimCommand) command(args(container(pod, "engine")));
    assertThat(gateway.options.discovery.endpoints).isEqualTo("127.0.0.1:" + engine.port);
    return pod;
  }

  /** {@code args} parsed by our command line: the subcommand's object, its flags set. */
  static Object command(List<String> args) {
    CommandLine commandLine = Main.commandLine(ConfigSource.of(Map.of(), null),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    CommandLine.ParseResult result = commandLine.parseArgs(args.toArray(String[]::new));
    assertThat(result.subcommand()).as("%s", args).isNotNull();
    return result.subcommand().commandSpec().userObject();
  }
}
