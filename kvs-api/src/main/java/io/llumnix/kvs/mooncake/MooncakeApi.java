package io.llumnix.kvs.mooncake;

/**
 * The paths and constants of the metadata service's HTTP API. The lookup is Mooncake master's
 * own; the writes are ours (the real master learns replicas from its RPC clients), named in
 * the style of its {@code /batch_query_keys}.
 *
 * <ul>
 *   <li>{@code GET /batch_query_keys?keys=k1,k2} - which endpoints hold each key;
 *   <li>{@code POST /batch_put_keys} {@code {"endpoint":"ip:port","keys":[...]}} - the
 *       endpoint holds these keys;
 *   <li>{@code POST /batch_remove_keys} (the same body) - it no longer holds them;
 *   <li>{@code POST /remove_endpoint} {@code {"endpoint":"ip:port"}} - it holds nothing (its
 *       engine restarted or cleared its cache).
 * </ul>
 */
public final class MooncakeApi {

  /** The port of the master's HTTP service in deployments ({@code mooncake-master:9003}). */
  public static final int DEFAULT_PORT = 9003;

  /** The lookup: {@code GET}, keys comma-joined in the {@code keys} query parameter. */
  public static final String BATCH_QUERY_KEYS = "/batch_query_keys";

  /** Adds keys to an endpoint: {@code POST} a {@link MooncakeJson.KeysBody}. */
  public static final String BATCH_PUT_KEYS = "/batch_put_keys";

  /** Removes keys from an endpoint: {@code POST} a {@link MooncakeJson.KeysBody}. */
  public static final String BATCH_REMOVE_KEYS = "/batch_remove_keys";

  /** Removes every key of an endpoint: {@code POST {"endpoint":"ip:port"}}. */
  public static final String REMOVE_ENDPOINT = "/remove_endpoint";

  /** The query parameter of the lookup. */
  public static final String KEYS_PARAMETER = "keys";

  /** The per-key error of a key no endpoint holds, as the master writes it. */
  public static final String OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND";

  private MooncakeApi() {}
}
