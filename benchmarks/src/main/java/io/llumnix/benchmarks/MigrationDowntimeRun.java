package io.llumnix.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.enginesim.llumlet.Llumlet;
import io.llumnix.llumlet.api.LlumletGrpc;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.openai.SseDecoder;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What a live migration costs the request it moves, by prompt length, in real time: two
 * simulated engines (llama3-8b-h100 profile, KV 128 KiB a token over 25 GB/s, as defaults), a
 * streaming request on the first, moved to the second after 32 tokens. For each length it
 * prints the largest gap between two tokens the client got around the move, the gap before it
 * (the step time), the engine's own stop-the-world time (the last stage's copy) and, as the
 * baseline of moving by recomputing, the TTFT of the same context sent fresh to the idle
 * second engine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.llumnix.benchmarks.MigrationDowntimeRun
 * </pre>
 */
public final class MigrationDowntimeRun {

  private MigrationDowntimeRun() {}

  public static void main(String[] args) throws Exception {
    int[] lengths = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
        : new int[] {256, 512, 1024, 2048, 4096, 8192};
    EngineSimulator source = start();
    EngineSimulator destination = start();
    Vertx vertx = VertxFactory.create();
    HttpClient http = vertx.createHttpClient();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1",
        source.instances().get(0).llumletPort()).usePlaintext().build();
    LlumletGrpc.LlumletBlockingStub llumlet = LlumletGrpc.newBlockingStub(channel);
    try {
      int[] runs = new int[lengths.length + 1];
      runs[0] = 128; // a first move warms up the code and the connections: not printed
      System.arraycopy(lengths, 0, runs, 1, lengths.length);
      for (int run = 0; run < runs.length; run++) {
        int length = runs[run];
        if (run == 1) {
          System.out.println(
              "prompt  step_ms  gap_at_move_ms  stop_the_world_ms  recompute_ttft_ms");
        }
        stream(http, source.ports().get(0), "warm-" + run, length, 4, null)
            .await(60, TimeUnit.SECONDS);
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        var done = stream(http, source.ports().get(0), "move-" + run + "-" + length, length, 96,
            arrivals);
        while (arrivals.size() < 32) {
          Thread.sleep(1);
        }
        llumlet.withDeadlineAfter(5, TimeUnit.SECONDS).migrate(MigrateRequest.newBuilder()
            .setDstEngineIp("127.0.0.1")
            .setDstEnginePort(destination.instances().get(0).kvTransferPort())
            .setMigrationType("NUM_REQ").setMigrationReqPolicy("FCR").setNumReqs(1)
            .setTriggerPolicy("downtime-run").build());
        done.await(60, TimeUnit.SECONDS);
        long step = arrivals.get(31) - arrivals.get(30);
        long gap = 0;
        for (int i = 31; i < arrivals.size(); i++) {
          gap = Math.max(gap, arrivals.get(i) - arrivals.get(i - 1));
        }
        double stw = source.instances().get(0).lastStopTheWorldNanos() / 1e6;
        List<Long> fresh = Collections.synchronizedList(new ArrayList<>());
        long sent = System.nanoTime();
        stream(http, destination.ports().get(0), "recompute-" + run, length + 32, 1, fresh)
            .await(60, TimeUnit.SECONDS);
        if (run > 0) {
          System.out.printf(Locale.ROOT, "%6d  %7.2f  %14.2f  %17.2f  %17.2f%n", length,
              step / 1e6, gap / 1e6, stw, (fresh.get(0) - sent) / 1e6);
        }
      }
    } finally {
      channel.shutdownNow();
      vertx.close().await(10, TimeUnit.SECONDS);
      source.close();
      destination.close();
    }
  }

  private static EngineSimulator start() {
    EngineSettings settings = EngineSettings.builder().model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.BUILTIN).core(CoreConfig.builder().maxModelLen(16384)
            .build()).build();
    InMemoryCmsStore store = new InMemoryCmsStore();
    return EngineSimulator.start(settings, "127.0.0.1", 0, 1, 20000,
        new CmsTarget(v -> store, Llumlet.Settings.defaults(), "127.0.0.1"));
  }

  /** Streams a completion of {@code prompt} random-ish tokens; records each token's arrival. */
  private static Future<Void> stream(HttpClient http, int port, String id,
      int prompt, int maxTokens, @Nullable List<Long> arrivals) {
    JsonArray ids = new JsonArray();
    for (int i = 0; i < prompt; i++) {
      ids.add(1000 + Math.floorMod(id.hashCode() * 31 + i * 7919, 30000));
    }
    Promise<Void> done = Promise.promise();
    http.request(HttpMethod.POST, port, "127.0.0.1", "/v1/completions")
        .compose(request -> request.putHeader("Content-Type", "application/json")
            .putHeader("X-Request-Id", id).send(new JsonObject().put("model", "m")
                .put("prompt", ids).put("max_tokens", maxTokens).put("ignore_eos", true)
                .put("stream", true).encode()))
        .onSuccess(response -> {
          SseDecoder decoder = new SseDecoder(data -> {
            if (arrivals != null && !data.equals("[DONE]")) {
              arrivals.add(System.nanoTime());
            }
          });
          response.handler(decoder::feed);
          response.endHandler(ignored -> done.tryComplete());
          response.exceptionHandler(done::tryFail);
        })
        .onFailure(done::tryFail);
    return done.future();
  }
}
