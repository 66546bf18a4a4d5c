package io.llumnix.gateway;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.core.time.Clock;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.gateway.scheduling.Balancer;
import io.llumnix.gateway.scheduling.InstanceDirectory;
import io.llumnix.gateway.scheduling.RoundRobinBalancer;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.testing.Exposition;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Engines and gateways for the gateway's tests, over real sockets. */
final class Fixtures {

  private Fixtures() {}

  /** The value of {@code series} (name and labels) on {@code port}'s /metrics; 0 when absent. */
  static double metric(WebClient web, int port, String series) throws Exception {
    double value = Exposition.sample(web.get(port, "127.0.0.1", "/metrics").send()
        .await(10, TimeUnit.SECONDS).bodyAsString(), series);
    return Double.isNaN(value) ? 0 : value;
  }

  /** A simulated engine of model {@code m} with the fast tokenizer. */
  static EngineSimulator engine(double speedup) {
    return engine(EngineSettings.builder().speedup(speedup));
  }

  static EngineSimulator engine(EngineSettings.Builder settings) {
    return EngineSimulator.start(settings.model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN)
        .core(CoreConfig.builder().maxNumSeqs(256).numGpuBlocks(8192).maxModelLen(4096).seed(1)
            .build())
        .build(), "127.0.0.1", 0, 1, 20000);
  }

  static LlmInstance instance(EngineSimulator engine) {
    return LlmInstance.ofEndpoint("127.0.0.1", engine.ports().get(0));
  }

  /** The defaults of the tests' gateways. */
  static GatewayConfig.Builder config() {
    return GatewayConfig.builder().host("127.0.0.1").port(0).maxModelLen(4096)
        .maxRequestBodyBytes(1 << 20);
  }

  /** A gateway choosing round-robin among {@code instances}. */
  static GatewayServer roundRobin(Vertx vertx, List<LlmInstance> instances,
      GatewayConfig config, @Nullable Clock clock) throws Exception {
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(InstanceDirectory.of(instances));
    return start(vertx, config, roundRobin, roundRobin, clock);
  }

  /** A round-robin gateway over {@code engine} that tokenizes with {@code tokenizer}. */
  static GatewayServer roundRobin(Vertx vertx, EngineSimulator engine, Tokenizer tokenizer)
      throws Exception {
    RoundRobinBalancer roundRobin = new RoundRobinBalancer(
        InstanceDirectory.of(List.of(instance(engine))));
    return start(vertx, config().build(), tokenizer, roundRobin, roundRobin, null);
  }

  static GatewayServer start(Vertx vertx, GatewayConfig config, Balancer balancer,
      RoundRobinBalancer roundRobin, @Nullable Clock clock) throws Exception {
    return start(vertx, config, TokenizerSource.BUILTIN.load(), balancer, roundRobin, clock);
  }

  private static GatewayServer start(Vertx vertx, GatewayConfig config, Tokenizer tokenizer,
      Balancer balancer, RoundRobinBalancer roundRobin, @Nullable Clock clock) throws Exception {
    GatewayServer server = new GatewayServer(config, tokenizer, balancer, roundRobin,
        ComponentMetrics.create(1000), clock);
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
    return server;
  }
}
