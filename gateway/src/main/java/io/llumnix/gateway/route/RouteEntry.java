package io.llumnix.gateway.route;

import java.util.regex.Pattern;

/**
 * One entry of the route config: where matching requests go, as the reference writes it
 * ({@code {"base_url": "http://other:8000/v1", "api_key": "…", "weight": 10, "prefix":
 * "Qwen/Qwen3-*", "fallback": true}}).
 *
 * @param baseUrl {@value #LOCAL} for this gateway's own cluster, else an OpenAI-compatible
 *     server's base URL
 * @param apiKey sent as {@code Authorization: Bearer <apiKey>} to that server when not empty
 * @param model kept from the config; requests are sent with the model the client named
 * @param fallback whether the entry is also tried, in config order, when a request's route
 *     failed
 * @param weight the entry's share under the weight policy
 * @param prefix under the prefix policy: a model name, or a prefix ending in {@code *}
 */
public record RouteEntry(String baseUrl, String apiKey, String model, boolean fallback,
    int weight, String prefix) {

  /** The base URL that means this gateway's own cluster. */
  public static final String LOCAL = "local";

  private static final Pattern BASE_VERSION = Pattern.compile("/v\\d+$");
  private static final Pattern PATH_VERSION = Pattern.compile("^/v\\d+");

  public RouteEntry {
    if (!isLocal(baseUrl) && !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("route base_url: '" + baseUrl
          + "' (expected: \"local\" or an http:// or https:// URL)");
    }
    if (weight < 0) {
      throw new IllegalArgumentException("route weight: " + weight + " (expected: >= 0)");
    }
  }

  private static boolean isLocal(String baseUrl) {
    return baseUrl.equals(LOCAL);
  }

  /** Whether it is this gateway's own cluster. */
  public boolean local() {
    return isLocal(baseUrl);
  }

  /**
   * The URL a request for {@code uri} (path and query, as the client sent it) goes to: the
   * base URL without its trailing {@code /}, then the URI — less its leading {@code /vN} when
   * the base URL already ends in one, so {@code http://x/v1} and {@code /v1/completions} make
   * {@code http://x/v1/completions}.
   */
  public String url(String uri) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    if (BASE_VERSION.matcher(base).find() && uri.startsWith("/v")) {
      uri = PATH_VERSION.matcher(uri).replaceFirst("");
    }
    return base + uri;
  }
}
