package io.llumnix.local;

import io.llumnix.runtime.process.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A real Prometheus scraping a local cluster with the labels the Kubernetes monitors of
 * {@code deploy/base/monitoring.yaml} attach: {@code namespace} on every target, and
 * {@code infer_type} and {@code model} on engines. So the dashboards of
 * {@code deploy/observability/} work unchanged against a laptop.
 */
public final class LocalPrometheus implements AutoCloseable {

  /**
   * What to scrape. Targets are {@code host:port}.
   *
   * @param engines the engines by infer type ({@code neutral}, {@code prefill},
   *     {@code decode}), each type a job of its own as each is a PodMonitor of its own
   */
  public record Targets(String namespace, List<String> gateways, List<String> schedulers,
      String model, Map<String, List<String>> engines) {

    public Targets {
      engines = new TreeMap<>(engines);
    }
  }

  private final ChildProcess process;
  private final int port;

  private LocalPrometheus(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The scrape configuration for {@code targets}, scraped every {@code interval}. */
  public static String config(Targets targets, Duration interval) {
    String every = interval.toMillis() + "ms";
    return "# Written by llumnix local: the labels match deploy/base/monitoring.yaml.\n"
        + "global:\n"
        + "  scrape_interval: " + every + "\n"
        + "  evaluation_interval: " + every + "\n"
        + "scrape_configs:\n"
        + job("gateway", targets.gateways(), "namespace: " + quote(targets.namespace()))
        + job("scheduler", targets.schedulers(),
            "namespace: " + quote(targets.namespace()))
        + targets.engines().entrySet().stream().filter(e -> !e.getValue().isEmpty())
            .map(e -> job("llumnix-engine-" + e.getKey(), e.getValue(),
                "namespace: " + quote(targets.namespace()) + ", infer_type: "
                    + quote(e.getKey()) + ", model: " + quote(targets.model())))
            .collect(Collectors.joining());
  }

  private static String job(String name, List<String> targets, String labels) {
    return "  - job_name: " + quote(name) + "\n"
        + "    metrics_path: /metrics\n"
        + "    static_configs:\n"
        + "      - targets: [" + targets.stream().map(LocalPrometheus::quote)
            .collect(Collectors.joining(", ")) + "]\n"
        + "        labels: {" + labels + "}\n";
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** The {@code prometheus} executable on the PATH, or null. */
  public static @Nullable Path find() {
    return ChildProcess.executable("prometheus");
  }

  /**
   * Starts Prometheus on {@code 127.0.0.1:port} with {@code config}, its data in a temporary
   * folder removed on close, and waits until it is ready.
   *
   * @throws IllegalStateException when it is not installed or does not become ready
   */
  public static LocalPrometheus start(String config, int port) throws IOException, InterruptedException {
    Path binary = find();
    if (binary == null) {
      throw new IllegalStateException("--prometheus: prometheus is not installed (Debian: "
          + "apt-get install -y prometheus)");
    }
    Path directory = ChildProcess.folder("llumnix-prometheus");
    Files.writeString(directory.resolve("prometheus.yml"), config);
    LocalPrometheus prometheus = new LocalPrometheus(ChildProcess.start(directory, "prometheus",
        List.of(binary.toString(), "--config.file=" + directory.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + directory.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port, "--web.enable-lifecycle")), port);
    try {
      prometheus.awaitReady(Duration.ofSeconds(30));
    } catch (RuntimeException | IOException | InterruptedException e) {
      prometheus.close();
      throw e;
    }
    return prometheus;
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.alive()) {
        throw new IllegalStateException("prometheus exited: " + log());
      }
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url().resolve("/-/ready"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // keep polling until the deadline
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("prometheus not ready within " + timeout + ": " + log());
  }

  private String log() {
    return process.logTail(5);
  }

  /** Where its HTTP API and UI answer. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.close();
  }
}
