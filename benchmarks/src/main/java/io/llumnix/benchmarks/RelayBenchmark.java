package io.llumnix.benchmarks;

import io.llumnix.gateway.relay.EngineStream;
import io.llumnix.openai.ChunkWriter;
import io.llumnix.openai.CompletionChunk;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The gateway's per-token work: one vLLM completion chunk, as the engine's socket hands it
 * over, decoded ({@link EngineStream}: SSE framing, then {@link CompletionChunk}'s scan) and
 * written again as the client's chunk ({@link ChunkWriter}, chat or completion) — everything a
 * token costs between the two sockets but the sockets. {@code -prof gc} gives the bytes
 * allocated per token.
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar RelayBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RelayBenchmark {

  @Param({"completion", "chat"})
  String shape;

  private Buffer piece;
  private EngineStream stream;
  private ChunkWriter writer;
  private Blackhole sink;

  @Setup
  public void setUp(Blackhole blackhole) {
    sink = blackhole;
    piece = Buffer.buffer("data: {\"id\":\"cmpl-0b6f2c1e9a3d4e5f8a7b6c5d4e3f2a1b-0\","
        + "\"object\":\"text_completion\",\"created\":1764633600,\"model\":\"Qwen/Qwen3-8B\","
        + "\"choices\":[{\"index\":0,\"text\":\" token\",\"logprobs\":null,"
        + "\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}\n\n");
    writer = ChunkWriter.of(shape.equals("chat"), "chatcmpl-0b6f2c1e9a3d4e5f8a7b6c5d4e3f2a1b",
        1764633600, "Qwen/Qwen3-8B");
    stream = new EngineStream((chunk, data) -> sink.consume(writer.token(0, chunk.textLiteral,
        chunk.finishReason, chunk.stopReasonLiteral, null)));
  }

  /** One token through: decode the engine's chunk, encode the client's. */
  @Benchmark
  public void relay() {
    stream.feed(piece);
  }
}
