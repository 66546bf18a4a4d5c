package io.llumnix.gateway.mirror;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;

/**
 * The mirror config file, read at start and again every check interval, taken anew when its
 * content changed (the reference checks its md5 every 10 s). A file that does not parse keeps
 * the last good config and says why in the log; a file that is missing turns mirroring off.
 * Reads are asynchronous: no check blocks an event loop. It polls on the wall clock (Vert.x's
 * timers), not on the gateway's request clock: a test that drives the request path by hand
 * sees no timer of it.
 */
public final class MirrorConfigFile {

  private static final System.Logger logger = System.getLogger(MirrorConfigFile.class.getName());

  private final Vertx vertx;
  private final Path path;
  private volatile MirrorConfig current = MirrorConfig.OFF;
  private Buffer lastRead = Buffer.buffer();
  private boolean missingLogged;
  private long timer = -1;

  public MirrorConfigFile(Vertx vertx, Path path) {
    this.vertx = vertx;
    this.path = path;
  }

  /** Reads it now and every {@code checkMillis} from now on. */
  public MirrorConfigFile start(long checkMillis) {
    check();
    timer = vertx.setPeriodic(checkMillis, id -> check());
    return this;
  }

  /** The config in force. */
  public MirrorConfig current() {
    return current;
  }

  /** Reads the file and takes it if it changed. */
  public void check() {
    vertx.fileSystem().readFile(path.toString()).onComplete(ar -> {
      if (ar.failed()) {
        // Most gateways never mirror: a missing file is news only when it was mirroring.
        if (current.enabled() || !missingLogged) {
          logger.log(current.enabled() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
              "mirror config " + path + " not readable (" + ar.cause().getMessage()
                  + "): no mirroring");
          missingLogged = true;
        }
        current = MirrorConfig.OFF;
        lastRead = Buffer.buffer();
        return;
      }
      Buffer content = ar.result();
      if (content.length() == 0 || content.equals(lastRead)) {
        return; // unchanged, or caught while being rewritten: the next read sees it whole
      }
      lastRead = content;
      try {
        MirrorConfig next = MirrorConfig.parse(content);
        current = next;
        logger.log(System.Logger.Level.INFO, "mirror config " + path + ": "
            + (next.enabled() ? next.ratio() + "% of requests to " + next.target() : "off"));
      } catch (IllegalArgumentException e) {
        logger.log(System.Logger.Level.WARNING, "mirror config " + path + " ignored, the last "
            + "good one stays: " + e.getMessage());
      }
    });
  }

  public void close() {
    vertx.cancelTimer(timer);
  }
}
