package io.llumnix.scheduler.cache;

import com.carrotsearch.hppc.LongIntHashMap;
import com.carrotsearch.hppc.LongLongHashMap;
import com.carrotsearch.hppc.LongObjectHashMap;
import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.llumnix.kvs.events.BlockRemoved;
import io.llumnix.kvs.events.BlockStored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which instance's prefix cache holds which blocks, learnt from their KV-cache events.
 *
 * <p>Design notes. Blocks are indexed by a content hash of our own, chained over the tokens the
 * events carry (the block's tokens and its parent's content hash), not by the engine's hash:
 * that way neither the engine's {@code --prefix-caching-hash-algo} nor its
 * {@code PYTHONHASHSEED} has to be known, and an unseeded vLLM (whose hashes nobody can
 * recompute) is followed too. A block whose parent was never seen cannot be placed in a chain
 * and is left out: a miss, never a wrong hit. vLLM may hold one hash in two blocks, so each
 * instance counts its references to an engine hash. Owned by the scheduler's event loop.
 */
final class BlockIndex {

  private static final Hasher64 HASHER = Hashing.xxh3_64();

  /** One instance's blocks: engine hash → content hash, and references to each engine hash. */
  private static final class InstanceBlocks {
    final LongLongHashMap contentOf = new LongLongHashMap();
    final LongIntHashMap references = new LongIntHashMap();
  }

  private final Map<String, InstanceBlocks> instances = new HashMap<>();
  /** Content hash → the instances holding that block. */
  private final LongObjectHashMap<Set<String>> holders = new LongObjectHashMap<>();
  /** Block sizes seen in events: a prompt is chained once per size. */
  private final Set<Integer> blockSizes = new HashSet<>();

  /** The chain's root for {@code blockSize}: blocks of different sizes never match. */
  static long root(int blockSize) {
    return HASHER.hashStream().putInt(blockSize).putLong(0x6C6C756D6E6978L).getAsLong();
  }

  /** The content hash of the block after {@code parent} holding {@code tokens[from, to)}. */
  static long chain(long parent, int[] tokens, int from, int to) {
    HashStream64 stream = HASHER.hashStream().putLong(parent);
    for (int i = from; i < to; i++) {
      stream.putInt(tokens[i]);
    }
    return stream.getAsLong();
  }

  void stored(String instanceId, BlockStored event) {
    int blockSize = event.blockSize();
    long[] hashes = event.blockHashes();
    int[] tokens = event.tokenIds();
    if (blockSize <= 0 || tokens.length < (long) hashes.length * blockSize) {
      return; // not a block list this index can chain
    }
    if (event.loraName() != null) {
      return; // an adapter's blocks: base-model prompts (what is looked up) never share them
    }
    InstanceBlocks blocks = instances.computeIfAbsent(instanceId, id -> new InstanceBlocks());
    long parent;
    if (event.parentBlockHash() == null) {
      parent = root(blockSize);
    } else if (blocks.contentOf.containsKey(event.parentBlockHash())) {
      parent = blocks.contentOf.get(event.parentBlockHash());
    } else {
      return; // the parent's event was missed: these blocks cannot be placed
    }
    blockSizes.add(blockSize);
    for (int b = 0; b < hashes.length; b++) {
      long content = chain(parent, tokens, b * blockSize, (b + 1) * blockSize);
      blocks.contentOf.put(hashes[b], content);
      blocks.references.addTo(hashes[b], 1);
      Set<String> set = holders.get(content);
      if (set == null) {
        set = new HashSet<>(4);
        holders.put(content, set);
      }
      set.add(instanceId);
      parent = content;
    }
  }

  void removed(String instanceId, BlockRemoved event) {
    InstanceBlocks blocks = instances.get(instanceId);
    if (blocks == null) {
      return;
    }
    for (long hash : event.blockHashes()) {
      if (!blocks.references.containsKey(hash)) {
        continue;
      }
      if (blocks.references.addTo(hash, -1) > 0) {
        continue; // another block still holds the same hash
      }
      blocks.references.remove(hash);
      unhold(blocks.contentOf.remove(hash), instanceId);
    }
  }

  /** The instance's cache was cleared, it restarted, or its stream cannot be trusted. */
  void drop(String instanceId) {
    InstanceBlocks blocks = instances.remove(instanceId);
    if (blocks == null) {
      return;
    }
    for (var cursor : blocks.contentOf) {
      unhold(cursor.value, instanceId);
    }
  }

  private void unhold(long content, String instanceId) {
    Set<String> set = holders.get(content);
    if (set != null && set.remove(instanceId) && set.isEmpty()) {
      holders.remove(content);
    }
  }

  /** The instances the index holds blocks of. */
  Set<String> instances() {
    return instances.keySet();
  }

  /** Blocks the index holds for {@code instanceId} (for tests and diagnostics). */
  int size(String instanceId) {
    InstanceBlocks blocks = instances.get(instanceId);
    return blocks == null ? 0 : blocks.contentOf.size();
  }

  /**
   * Tokens of the prompt's first {@code length} tokens each instance holds from the start (a
   * prefix cache is read from block 0 and stops at the first block it lacks).
   */
  PrefixHits hits(int[] tokens, int length) {
    Map<String, Integer> best = new HashMap<>();
    for (int blockSize : blockSizes) {
      long parent = root(blockSize);
      List<String> alive = null;
      for (int b = 0; (b + 1) * blockSize <= length; b++) {
        long content = chain(parent, tokens, b * blockSize, (b + 1) * blockSize);
        Set<String> set = holders.get(content);
        if (set == null) {
          break;
        }
        if (alive == null) {
          alive = new ArrayList<>(set);
        } else {
          alive.retainAll(set);
        }
        if (alive.isEmpty()) {
          break;
        }
        int tokensHeld = (b + 1) * blockSize;
        for (String instance : alive) {
          best.merge(instance, tokensHeld, Math::max);
        }
        parent = content;
      }
    }
    return new PrefixHits(length, best, false);
  }
}
