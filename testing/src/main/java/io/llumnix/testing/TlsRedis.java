package io.llumnix.testing;

import io.llumnix.runtime.process.ChildProcess;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} with a TLS port, for tests: its certificate is self-signed for
 * {@code localhost} and {@code 127.0.0.1} by the JDK's {@code keytool} (so no openssl is
 * needed) and written as PEM, which is also the CA file clients trust. The plain port stays
 * open next to it, for {@link RedisProcess}'s start-up check.
 *
 * <pre>{@code
 * try (TlsRedis redis = TlsRedis.start(List.of("--requirepass", "pw"))) {
 *   RedisConnection tls = redis.connection();  // rediss://127.0.0.1:<tls port>, trusting caFile
 * }
 * }</pre>
 */
public final class TlsRedis implements AutoCloseable {

  private static final String STORE_PASSWORD = "changeit";

  private final RedisProcess process;
  private final int tlsPort;
  private final Path caFile;
  private final Path directory;

  private TlsRedis(RedisProcess process, int tlsPort, Path caFile, Path directory) {
    this.process = process;
    this.tlsPort = tlsPort;
    this.caFile = caFile;
    this.directory = directory;
  }

  /**
   * Starts a server with {@code extraArguments} (a password, ACL users) and a TLS port.
   *
   * @throws IllegalStateException when redis-server does not start, e.g. when it was built
   *     without TLS
   */
  public static TlsRedis start(List<String> extraArguments)
      throws IOException, InterruptedException, GeneralSecurityException {
    Path directory = ChildProcess.folder("llumnix-tls-");
    Path cert = directory.resolve("redis.crt");
    Path key = directory.resolve("redis.key");
    selfSign(directory, cert, key);
    int tlsPort = ChildProcess.freePort();
    List<String> arguments = new ArrayList<>(List.of("--tls-port", String.valueOf(tlsPort),
        "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no"));
    arguments.addAll(extraArguments);
    return new TlsRedis(RedisProcess.start(arguments), tlsPort, cert, directory);
  }

  /** The TLS port. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The PEM certificate the server presents, to trust as a CA. */
  public Path caFile() {
    return caFile;
  }

  /** The plain-TCP server underneath. */
  public RedisProcess process() {
    return process;
  }

  /** How to reach the TLS port, trusting {@link #caFile()}, without credentials. */
  public RedisConnection connection() {
    return RedisConnection.of("127.0.0.1", tlsPort)
        .withTls(RedisConnection.Tls.on(caFile.toString()));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.close();
    try (var files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(directory);
  }

  private static void selfSign(Path directory, Path cert, Path key)
      throws IOException, InterruptedException, GeneralSecurityException {
    Path store = directory.resolve("redis.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process run = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "redis",
        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", store.toString(),
        "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
      throw new IllegalStateException("keytool -genkeypair failed: " + output);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, STORE_PASSWORD.toCharArray());
    }
    Files.writeString(cert, pem("CERTIFICATE", keys.getCertificate("redis").getEncoded()));
    // A PKCS#12 private key encodes as PKCS#8, what OpenSSL reads as "PRIVATE KEY".
    Files.writeString(key, pem("PRIVATE KEY",
        keys.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
