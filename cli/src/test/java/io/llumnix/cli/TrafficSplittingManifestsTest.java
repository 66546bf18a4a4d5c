package io.llumnix.cli;

import static io.llumnix.cli.DeployManifestsTest.args;
import static io.llumnix.cli.DeployManifestsTest.command;
import static io.llumnix.cli.DeployManifestsTest.container;
import static io.llumnix.cli.DeployManifestsTest.find;
import static io.llumnix.cli.DeployManifestsTest.gatewayOverItsOwnEngine;
import static io.llumnix.cli.DeployManifestsTest.mountedFile;
import static io.llumnix.cli.DeployManifestsTest.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The traffic-splitting scenarios of {@code deploy/}: the gateway's {@code --route-config}, a
 * file of the ConfigMap mounted as its directory (weight) or inline JSON (prefix), is a JSON
 * array of routes, each to this cluster ({@code "local"}) or to the URL of a Service behind
 * which a gateway serves the engine of its own pod, and each route's server answers the models
 * sent to it: the served model for a weighted share or a fallback, a model its prefix matches.
 */
class TrafficSplittingManifestsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> weightOverlays() {
    return DeployManifestsTest.overlays().filter(o -> o.endsWith("traffic-splitting/weight"));
  }

  static Stream<String> prefixOverlays() {
    return DeployManifestsTest.overlays().filter(o -> o.endsWith("traffic-splitting/prefix"));
  }

  @ParameterizedTest
  @MethodSource("weightOverlays")
  void theWeightGatewayReadsItsRoutesFromItsMountedConfigMap(String overlay) throws Exception {
    List<JsonNode> documents = render(overlay);
    JsonNode pod = find(documents, "Deployment", "gateway").at("/spec/template");
    List<String> args = args(container(pod, "gateway"));
    assertThat(flag(args, "--route-policy")).isEqualTo("weight");
    String file = flag(args, "--route-config");
    assertThat(file).as("--route-config").isNotNull();
    JsonNode config = JSON.readTree(mountedFile(documents, pod, Path.of(file)));
    String model = servedModel(documents);
    int total = 0;
    for (JsonNode route : routes(config)) {
      assertThat(route.path("weight").isInt()).as("weight of %s", route).isTrue();
      assertThat(route.path("weight").asInt()).as("weight of %s", route).isNotNegative();
      total += route.path("weight").asInt();
      // Every request, weighted to a route or falling back to it, asks for the served model.
      assertThat(answersTo(documents, route)).as("%s", route).contains(model);
    }
    assertThat(total).as("sum of the weights").isPositive();
    assertThat(flag(args, "--fallback-retry-queue-enabled")).isEqualTo("true");
  }

  @ParameterizedTest
  @MethodSource("prefixOverlays")
  void thePrefixGatewaySendsEachModelWhereItIsServed(String overlay) throws Exception {
    List<JsonNode> documents = render(overlay);
    JsonNode pod = find(documents, "Deployment", "gateway").at("/spec/template");
    List<String> args = args(container(pod, "gateway"));
    assertThat(flag(args, "--route-policy")).isEqualTo("prefix");
    String inline = flag(args, "--route-config");
    assertThat(inline).as("--route-config").isNotNull();
    String model = servedModel(documents);
    for (JsonNode route : routes(JSON.readTree(inline))) {
      String prefix = route.path("prefix").asText();
      assertThat(prefix).as("prefix of %s", route).isNotEmpty();
      Set<String> served = answersTo(documents, route);
      assertThat(served).as("%s answers a model of %s", route, prefix)
          .anyMatch(m -> matches(prefix, m));
      if (route.path("fallback").asBoolean()) {
        assertThat(served).as("fallback %s", route).contains(model);
      }
    }
  }

  /**
   * The routes of {@code config}: a JSON array of objects with a base_url, {@code "local"} or
   * an http(s) URL, at least one of them local and one, not local, a fallback.
   */
  static List<JsonNode> routes(JsonNode config) {
    assertThat(config.isArray()).as("%s", config).isTrue();
    List<JsonNode> routes = new ArrayList<>();
    config.forEach(routes::add);
    for (JsonNode route : routes) {
      assertThat(route.path("base_url").isTextual()).as("base_url of %s", route).isTrue();
      assertThat(route.path("base_url").asText()).matches("local|https?://.+");
    }
    assertThat(routes).anyMatch(TrafficSplittingManifestsTest::local);
    assertThat(routes).as("a fallback off the cluster")
        .anyMatch(r -> !local(r) && r.path("fallback").asBoolean());
    return routes;
  }

  static boolean local(JsonNode route) {
    return route.path("base_url").asText().equals("local");
  }

  /**
   * The model names the server of {@code route} answers: the served model for this cluster,
   * else the engine-sim's {@code --model} and {@code --served-model-name} behind the gateway of
   * the route's Service, which routes nothing further itself.
   */
  static Set<String> answersTo(List<JsonNode> documents, JsonNode route) {
    if (local(route)) {
      return Set.of(servedModel(documents));
    }
    URI url = URI.create(route.path("base_url").asText());
    JsonNode pod = gatewayOverItsOwnEngine(documents, url);
    assertThat(flag(args(container(pod, "gateway")), "--route-config")).as("%s routes", url)
        .isNull();
    JsonNode engine = container(pod, "engine");
    EngineSimCommand sim = (EngineSimCommand) command(args(engine));
    Set<String> names = new LinkedHashSet<>();
    for (String name : List.of(sim.model, sim.servedModelName)) {
      if (!name.isEmpty()) {
        names.add(expand(documents, engine, name));
      }
    }
    return names;
  }

  /** The model this cluster's engines serve: the ConfigMap llumnix-model's name. */
  static String servedModel(List<JsonNode> documents) {
    JsonNode model = find(documents, "ConfigMap", "llumnix-model");
    assertThat(model).isNotNull();
    return model.at("/data/name").asText();
  }

  /** Whether a route's prefix, an exact name or {@code Some/Prefix-*}, matches {@code model}. */
  static boolean matches(String prefix, String model) {
    return prefix.endsWith("*") ? model.startsWith(prefix.substring(0, prefix.length() - 1))
        : model.equals(prefix);
  }

  /** {@code value}, if it is a {@code $(VAR)}, expanded from the container's env. */
  static String expand(List<JsonNode> documents, JsonNode container, String value) {
    if (!value.startsWith("$(") || !value.endsWith(")")) {
      return value;
    }
    String variable = value.substring(2, value.length() - 1);
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals(variable)) {
        if (env.has("value")) {
          return env.path("value").asText();
        }
        JsonNode ref = env.at("/valueFrom/configMapKeyRef");
        JsonNode configMap = find(documents, "ConfigMap", ref.path("name").asText());
        assertThat(configMap).as("the ConfigMap of %s", ref).isNotNull();
        return configMap.path("data").path(ref.path("key").asText()).asText();
      }
    }
    throw new AssertionError("no variable " + variable + " in " + container);
  }

  /** The value of flag {@code name} in {@code args} ({@code --name=value} or two), else null. */
  static String flag(List<String> args, String name) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).startsWith(name + "=")) {
        return args.get(i).substring(name.length() + 1);
      }
      if (args.get(i).equals(name) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
    }
    return null;
  }
}
