package io.llumnix.kvs.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server that misbehaves on purpose, to play a broken metadata service: it resets the
 * first {@code resets} connections, then either answers every request with {@code reply} or,
 * when that is null, reads and never answers.
 */
final class RawServer implements AutoCloseable {

  private final ServerSocket socket;
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<Socket> held = new CopyOnWriteArrayList<>();

  private RawServer(int resets, String reply) throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread thread = new Thread(() -> serve(resets, reply), "raw-server-" + socket.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  /** Resets every connection at once (RST): a transport error that is no timeout. */
  static RawServer resetting() throws IOException {
    return new RawServer(Integer.MAX_VALUE, null);
  }

  /** Resets the first {@code resets} connections, then answers 200 with {@code json}. */
  static RawServer resettingThenAnswering(int resets, String json) throws IOException {
    return new RawServer(resets, json);
  }

  /** Accepts and reads, and never answers. */
  static RawServer silent() throws IOException {
    return new RawServer(0, null);
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  private void serve(int resets, String reply) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed
      }
      int n = accepted.incrementAndGet();
      try {
        if (n <= resets) {
          client.setSoLinger(true, 0);
          client.close();
        } else if (reply == null) {
          held.add(client);
        } else {
          answer(client, reply);
        }
      } catch (IOException e) {
        // the client went away first
      }
    }
  }

  private static void answer(Socket client, String json) throws IOException {
    try (client) {
      InputStream in = client.getInputStream();
      int matched = 0;
      byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      while (matched < end.length) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
      }
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      OutputStream out = client.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : held) {
      s.close();
    }
  }
}
