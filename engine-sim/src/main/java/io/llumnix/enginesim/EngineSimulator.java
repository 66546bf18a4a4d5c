package io.llumnix.enginesim;

import io.llumnix.cms.CmsStore;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.metrics.ComponentMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs {@code instances} independent simulated engines in one process, on ports {@code port},
 * {@code port + 1}, …, each with its own engine label and {@code /metrics}.
 *
 * <pre>{@code
 * try (EngineSimulator sim = EngineSimulator.start(settings, "127.0.0.1", 8000, 4, 20000)) {
 *   // engines answer on 8000..8003
 * }
 * }</pre>
 */
public final class EngineSimulator implements AutoCloseable {

  private final Vertx vertx;
  private final List<EngineInstance> instances;
  private final List<String> deploymentIds;

  private EngineSimulator(Vertx vertx, List<EngineInstance> instances,
      List<String> deploymentIds) {
    this.deploymentIds = List.copyOf(deploymentIds);
    this.vertx = vertx;
    this.instances = List.copyOf(instances);
  }

  /**
   * Starts the engines and waits until all listen.
   *
   * @param port the first instance's port; 0 picks free ports
   * @param kvTransferPortOffset each instance's KV-transfer port is its port plus this
   * @throws IllegalStateException when an instance cannot listen
   */
  public static EngineSimulator start(EngineSettings settings, String host, int port,
      int instances, int kvTransferPortOffset) {
    return start(settings, host, port, instances, kvTransferPortOffset, null);
  }

  /**
   * Starts the engines, each with a llumlet publishing to {@code cms} when it is given (full
   * mode), and waits until all listen and have registered.
   */
  public static EngineSimulator start(EngineSettings settings, String host, int port,
      int instances, int kvTransferPortOffset, @Nullable CmsTarget cms) {
    return start(settings, host, port,
        Collections.nCopies(Math.max(0, instances), settings.kvTransfer().role()),
        kvTransferPortOffset, cms);
  }

  /**
   * Starts one engine per entry of {@code roles}, in that kv role (e.g. prefill engines on the
   * first ports, then decode ones), as {@link #start(EngineSettings, String, int, int, int,
   * CmsTarget)} does.
   */
  public static EngineSimulator start(EngineSettings settings, String host, int port,
      List<KvTransferSettings.Role> roles, int kvTransferPortOffset, @Nullable CmsTarget cms) {
    int instances = roles.size();
    if (instances < 1) {
      throw new IllegalArgumentException("instances: " + instances + " (expected: >= 1)");
    }
    if (port > 0 && port + instances - 1 + kvTransferPortOffset > 65535) {
      throw new IllegalArgumentException("KV-transfer ports " + (port + kvTransferPortOffset)
          + "-" + (port + instances - 1 + kvTransferPortOffset) + " exceed 65535 (expected: a "
          + "lower --port or --kv-transfer-port-offset)");
    }
    Tokenizer tokenizer = settings.tokenizer().load();
    Vertx vertx = VertxFactory.create(new VertxOptions()
        .setEventLoopPoolSize(Math.max(2, Math.min(instances, 2 * Runtime.getRuntime().availableProcessors()))));
    SimClock clock = SimClock.scaled(settings.speedup());
    CmsStore store = cms == null ? null : cms.store().apply(vertx);
    List<EngineInstance> started = new ArrayList<>();
    List<Future<String>> deployments = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      int instancePort = port == 0 ? 0 : port + i;
      EngineSettings own = roles.get(i) == settings.kvTransfer().role() ? settings
          : settings.withRole(roles.get(i));
      EngineInstance instance = new EngineInstance(own, host, instancePort,
          instancePort == 0 ? 0 : instancePort + kvTransferPortOffset, i, tokenizer, clock,
          ComponentMetrics.create(settings.maxLabelSets()), store, cms);
      started.add(instance);
      deployments.add(vertx.deployVerticle(instance));
    }
    try {
      Future.all(deployments).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot start the engines on " + host + ":" + port
          + (instances > 1 ? "-" + (port + instances - 1) : "") + ": " + e.getMessage(), e);
    }
    return new EngineSimulator(vertx, started,
        deployments.stream().map(Future::result).toList());
  }

  /** The running instances, in port order. */
  public List<EngineInstance> instances() {
    return instances;
  }

  /** The ports the instances listen on. */
  public List<Integer> ports() {
    return instances.stream().map(EngineInstance::actualPort).toList();
  }

  /**
   * Stops instance {@code index} as a crashed engine stops: its port closes and its
   * connections drop. The others keep serving.
   */
  public void stopInstance(int index) {
    try {
      vertx.undeploy(deploymentIds.get(index)).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("engine " + index + " did not stop", e);
    }
  }

  /**
   * Drains the engines before they stop, as a Kubernetes pre-stop would: each reports itself
   * unschedulable (so the rescheduler moves its requests out), and this waits until none has a
   * request left, here or streaming from where it went, or {@code timeoutMillis} passed.
   * Requests that could not move finish here meanwhile.
   */
  public void drain(long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (System.nanoTime() < deadline) {
      List<Future<Boolean>> busy = instances.stream().map(EngineInstance::draining).toList();
      try {
        Future.all(busy).await(5, TimeUnit.SECONDS);
        if (busy.stream().noneMatch(Future::result)) {
          return;
        }
        Thread.sleep(100); // polls the engines' queues; nothing to await across them
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        return; // an engine that does not answer: stop it as it is
      }
    }
  }

  @Override
  public void close() {
    try {
      // Undeploy first, while clients still work: llumlets remove their CMS records on stop.
      List<Future<Void>> stops = new ArrayList<>();
      for (String id : deploymentIds) {
        if (vertx.deploymentIDs().contains(id)) {
          stops.add(vertx.undeploy(id));
        }
      }
      Future.join(stops).await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("engines did not stop", e);
    }
  }
}
