package io.llumnix.testing;

import io.llumnix.runtime.redis.RedisProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of {@code n} masters (no replicas) on free loopback ports, for tests:
 * {@code redis-server --cluster-enabled yes} processes joined by
 * {@code redis-cli --cluster create}.
 */
public final class RedisCluster implements AutoCloseable {

  private final List<RedisProcess> nodes = new ArrayList<>();

  private RedisCluster() {}

  /** Starts {@code masters} nodes (at least 3) and waits until the cluster state is ok. */
  public static RedisCluster start(int masters) throws IOException, InterruptedException {
    RedisCluster cluster = new RedisCluster();
    try {
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int i = 0; i < masters; i++) {
        RedisProcess node = RedisProcess.start(List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf"));
        cluster.nodes.add(node);
        create.add("127.0.0.1:" + node.port());
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process joined = new ProcessBuilder(create).redirectErrorStream(true).start();
      String output = new String(joined.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!joined.waitFor(60, TimeUnit.SECONDS) || joined.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + output);
      }
      for (int port : cluster.ports()) {
        cluster.await(port, "cluster_state:ok", "cluster", "info");
      }
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void await(int port, String expected, String... command)
      throws IOException, InterruptedException {
    List<String> cli = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    cli.addAll(List.of(command));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Process p = new ProcessBuilder(cli).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      if (out.contains(expected)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("redis node " + port + " never answered " + expected);
  }

  /** The nodes' ports; any of them is a seed for a cluster client. */
  public List<Integer> ports() {
    return nodes.stream().map(RedisProcess::port).toList();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (RedisProcess node : nodes) {
      node.close();
    }
  }
}
