package io.llumnix.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.scheduler.SchedulerConfig;
import io.llumnix.scheduler.cache.CacheAwareConfig;
import io.llumnix.scheduler.cache.KvsBackend;
import io.llumnix.scheduler.policy.PolicyConfig;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cache-aware scheduling end to end, once per backend: a real redis-server for the CMS, three
 * simulated engines with llumlets publishing their prefix cache (to {@code llumnix kvs}, to
 * Vineyard's Redis, or as vLLM KV-cache events), the scheduler and the gateway, all over their
 * real protocols. Requests sharing a long prefix go to the engine that holds it; an engine that
 * evicts the prefix stops attracting them; when the KV store dies requests still succeed
 * (balanced on load) and cache awareness comes back after the down window.
 */
class CacheAwareIntegrationTest {

  static final Llumlet.Settings LLUMLET = new Llumlet.Settings(100, 20, 500, 200, 2000, 10_000);
  static final int PREFIX = 1024;
  static Vertx vertx;
  static WebClient web;

  @BeforeAll
  static void client() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static LocalCluster start(KvsBackend backend) throws Exception {
    CacheAwareConfig cacheAware = CacheAwareConfig.builder().enabled(true).backend(backend)
        .minTokens(256).retry(2, 50).downSeconds(2).build();
    return LocalCluster.builder().instances(3).engineBasePort(0)
        // 400 blocks of 16: three long prompts sent straight to an engine evict a prefix.
        .engine(Clusters.engine(20).core(CoreConfig.builder().maxNumSeqs(64)
            .numGpuBlocks(400).maxModelLen(4096).seed(1).build()).build())
        .cms(LocalCluster.Cms.REDIS).llumlet(LLUMLET).tokenizer(TokenizerSource.BUILTIN)
        .gateway(Clusters.gateway().retryMaxCount(2).build())
        .scheduler(SchedulerConfig.builder().host("127.0.0.1").port(0)
            .keepaliveIntervalMillis(500).cmsStatusIntervalMillis(20)
            .cmsMetadataIntervalMillis(200).policyConfig(PolicyConfig.defaults())
            .cacheAware(cacheAware).build())
        .schedulerLink(link -> link.waitSchedulingRetryMillis(100).reconnectMillis(200))
        .start();
  }

  @ParameterizedTest
  @EnumSource(KvsBackend.class)
  void prefixesAttractRequestsUntilEvictedAndSurviveTheKvStoreDying(KvsBackend backend)
      throws Exception {
    try (LocalCluster cluster = start(backend)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.gatewayReady()
          && metric(cluster.schedulerPort(), "instance_cms_inflight_dispatch_requests\\{")
              .size() == 3);
      List<Integer> engines = cluster.engines().ports();
      int[] prefix = tokens(1_000, PREFIX);

      // The first request lands somewhere; the ones after it follow its prefix there.
      int holder = served(cluster, prefix, 0);
      for (int i = 1; i <= 4; i++) {
        settle(cluster);
        assertThat(served(cluster, prefix, i)).as("request %d", i).isEqualTo(holder);
      }
      assertThat(sum(metric(cluster.schedulerPort(),
          "request_max_prefix_cache_hit_percent_sum"))).isGreaterThan(4 * 90);

      // The holder evicts the prefix (long prompts sent straight to it), another engine
      // computes it: requests follow the prefix to the new holder.
      for (int i = 0; i < 3; i++) {
        direct(engines.get(holder), tokens(50_000 + 5_000 * i, 2_900));
      }
      int other = (holder + 1) % engines.size();
      direct(engines.get(other), concat(prefix, tokens(900, 8)));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        settle(cluster);
        assertThat(served(cluster, prefix, 100)).isEqualTo(other);
      });
      for (int i = 101; i <= 103; i++) {
        settle(cluster);
        assertThat(served(cluster, prefix, i)).as("request %d", i).isEqualTo(other);
      }

      if (backend == KvsBackend.KV_EVENTS) {
        // No store to kill: the holder itself goes, and with it its blocks from the index.
        cluster.engines().stopInstance(other);
        for (int i = 200; i < 204; i++) {
          assertThat(served(cluster, prefix, i)).isNotEqualTo(other);
        }
        return;
      }
      // The KV store dies: requests still succeed, balanced on load, and the gauge says so.
      cluster.stopKvs();
      for (int i = 200; i < 204; i++) {
        served(cluster, prefix, i);
      }
      await().atMost(Duration.ofSeconds(10)).until(() ->
          sum(metric(cluster.schedulerPort(), "scheduler_kvs_metadata_service_up")) == 0);
      assertThat(sum(metric(cluster.schedulerPort(), "scheduler_kvs_lookup_failed_total")))
          .isGreaterThanOrEqualTo(2);
      // It comes back (empty, for v6d): a prefix computed now attracts requests again once
      // the down window passed.
      cluster.restartKvs();
      int[] probes = {0};
      await().atMost(Duration.ofSeconds(15)).until(() -> {
        served(cluster, tokens(40_000 + 500 * probes[0]++, 300), 0); // prefixes no one shares
        return sum(metric(cluster.schedulerPort(), "scheduler_kvs_metadata_service_up")) == 1;
      });
      int third = (holder + 2) % engines.size();
      int[] fresh = tokens(20_000, PREFIX);
      direct(engines.get(third), concat(fresh, tokens(900, 8)));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        settle(cluster);
        assertThat(served(cluster, fresh, 300)).isEqualTo(third);
      });
    }
  }

  /** Sends the prefix plus a suffix of its own through the gateway; returns the engine's index. */
  static int served(LocalCluster cluster, int[] prefix, int request) throws Exception {
    List<Integer> engines = cluster.engines().ports();
    List<Double> before = new ArrayList<>();
    for (int port : engines) {
      before.add(completed(port));
    }
    var response = Clusters.post(web, cluster.gatewayPort(), "/v1/completions",
        body(concat(prefix, tokens(100_000 + 16 * request, 16))));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    for (int i = 0; i < engines.size(); i++) {
      if (completed(engines.get(i)) > before.get(i)) {
        return i;
      }
    }
    throw new AssertionError("no engine counted the request");
  }

  /** Waits until the scheduler's account holds no dispatch its statuses do not show yet. */
  static void settle(LocalCluster cluster) {
    await().atMost(Duration.ofSeconds(10)).until(() ->
        sum(metric(cluster.schedulerPort(), "instance_cms_inflight_dispatch_requests\\{")) == 0);
  }

  static void direct(int enginePort, int[] prompt) throws Exception {
    var response = Clusters.post(web, enginePort, "/v1/completions", body(prompt));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
  }

  static String body(int[] prompt) {
    StringJoiner ids = new StringJoiner(",", "[", "]");
    for (int id : prompt) {
      ids.add(Integer.toString(id));
    }
    return "{\"model\":\"m\",\"prompt\":" + ids + ",\"max_tokens\":2}";
  }

  static double completed(int enginePort) {
    return sum(metric(enginePort, "vllm:request_success_total\\{"));
  }

  static List<Double> metric(int port, String prefix) {
    String text;
    try {
      text = Clusters.metrics(web, port);
    } catch (Exception e) {
      return List.of();
    }
    List<Double> values = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^" + prefix + "[^\\n]* ([0-9.eE+-]+)$").matcher(text);
    while (m.find()) {
      values.add(Double.parseDouble(m.group(1)));
    }
    return values;
  }

  static double sum(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sum();
  }

  static int[] tokens(int first, int count) {
    int[] tokens = new int[count];
    for (int i = 0; i < count; i++) {
      tokens[i] = first + i;
    }
    return tokens;
  }

  static int[] concat(int[] a, int[] b) {
    int[] all = new int[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
