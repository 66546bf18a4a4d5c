package io.llumnix.gateway.route;

import io.llumnix.runtime.WatchedFile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The route table in force: the {@code --route-config} given inline, or the file it names,
 * read once when the gateway is built — so a missing or bad file stops it starting, with the
 * reason — and again whenever it changes while it runs (a bad or missing new version keeps the
 * last good table).
 */
final class RouteSource {

  private final RouteSettings settings;
  private final RouteTable initial;
  private final Buffer initialContent;
  private @Nullable WatchedFile<RouteTable> file;

  /** @throws IllegalArgumentException when the config cannot be read or is not valid */
  RouteSource(RouteSettings settings) {
    this.settings = settings;
    if (settings.config().isBlank()) {
      initialContent = Buffer.buffer();
      initial = RouteTable.LOCAL_ONLY;
      return;
    }
    RoutePolicy policy = RouteTable.POLICIES.get(settings.policy());
    if (settings.inline()) {
      initialContent = Buffer.buffer(settings.config());
    } else {
      try {
        initialContent = Buffer.buffer(Files.readAllBytes(Path.of(settings.config())));
      } catch (IOException e) {
        throw new IllegalArgumentException("--route-config " + settings.config()
            + ": cannot read it (" + e + ")", e);
      }
    }
    try {
      initial = RouteTable.parse(policy, initialContent);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--route-config " + (settings.inline() ? ""
          : settings.config() + " ") + e.getMessage(), e);
    }
  }

  /** Follows the config file's changes on {@code vertx} (an inline config never changes). */
  void watch(Vertx vertx) {
    if (settings.config().isBlank() || settings.inline()) {
      return;
    }
    RoutePolicy policy = RouteTable.POLICIES.get(settings.policy());
    file = new WatchedFile<>(vertx, Path.of(settings.config()), "route config",
        content -> RouteTable.parse(policy, content), initial, initialContent, null,
        RouteTable::describe).start(settings.checkMillis());
  }

  RouteTable current() {
    WatchedFile<RouteTable> watched = file;
    return watched == null ? initial : watched.current();
  }

  void close() {
    if (file != null) {
      file.close();
    }
  }
}
