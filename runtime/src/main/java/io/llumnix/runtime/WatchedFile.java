package io.llumnix.runtime;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A config file read again every check interval and taken anew when its content changed, as
 * operators expect of a ConfigMap mounted into a pod: edit it and the process follows within
 * one interval, no restart. A new content that does not parse keeps the last good value and
 * says why in the log; a content caught empty (mid-rewrite) is read again at the next check.
 *
 * <p>Reads are asynchronous, so no check blocks an event loop, and they run on Vert.x's
 * timers (the wall clock), not on an injected request clock: a test that drives the request
 * path by hand sees no timer of it. {@link #current()} may be read from any thread.
 *
 * @param <T> the parsed config, immutable
 */
public final class WatchedFile<T> {

  /** Turns a file's bytes into a config; throws {@link IllegalArgumentException} when bad. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(Buffer content);
  }

  private static final System.Logger logger = System.getLogger(WatchedFile.class.getName());

  private final Vertx vertx;
  private final Path path;
  private final String what;
  private final Parser<T> parser;
  private final @Nullable T whenMissing;
  private final Function<T, String> describe;
  private volatile T current;
  private Buffer lastRead;
  private boolean missingLogged;
  private long timer = -1;

  /**
   * @param what what the file is, for the log ("mirror config")
   * @param initial the value until the first read, read from {@code initialContent}
   * @param whenMissing the value while the file is missing; null keeps the last good one
   * @param describe the value in a log line
   */
  public WatchedFile(Vertx vertx, Path path, String what, Parser<T> parser, T initial,
      Buffer initialContent, @Nullable T whenMissing, Function<T, String> describe) {
    this.vertx = vertx;
    this.path = path;
    this.what = what;
    this.parser = parser;
    this.current = initial;
    this.lastRead = initialContent;
    this.whenMissing = whenMissing;
    this.describe = describe;
  }

  /** Reads it now and every {@code checkMillis} from now on. */
  public WatchedFile<T> start(long checkMillis) {
    check();
    timer = vertx.setPeriodic(checkMillis, id -> check());
    return this;
  }

  /** The value in force. */
  public T current() {
    return current;
  }

  /** Reads the file and takes it if it changed. */
  public void check() {
    vertx.fileSystem().readFile(path.toString()).onComplete(ar -> {
      if (ar.failed()) {
        missing(ar.cause().getMessage());
        return;
      }
      missingLogged = false;
      Buffer content = ar.result();
      if (content.length() == 0 || content.equals(lastRead)) {
        return; // unchanged, or caught while being rewritten: the next read sees it whole
      }
      lastRead = content;
      try {
        T next = parser.parse(content);
        current = next;
        logger.log(System.Logger.Level.INFO, what + " " + path + ": " + describe.apply(next));
      } catch (IllegalArgumentException e) {
        logger.log(System.Logger.Level.WARNING, what + " " + path + " ignored, the last good "
            + "one stays: " + e.getMessage());
      }
    });
  }

  private void missing(String why) {
    T fallback = whenMissing;
    boolean changes = fallback != null && !fallback.equals(current);
    if (changes || !missingLogged) {
      // A file that was never there is no news (most gateways never mirror); losing one is.
      System.Logger.Level level = changes || fallback == null
          ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
      logger.log(level, what + " " + path + " not readable (" + why + "): "
          + (fallback == null ? "the last good one stays" : describe.apply(fallback)));
      missingLogged = true;
    }
    if (fallback != null) {
      current = fallback;
      lastRead = Buffer.buffer();
    }
  }

  public void close() {
    vertx.cancelTimer(timer);
  }
}
