package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --tls-cert}/{@code --tls-key}: with a self-signed certificate made here (the JDK's
 * {@code keytool}, then written as PEM), the server speaks HTTPS only, and a worker process and
 * a client run a job over it.
 */
class TlsTest {
  private static final String STORE_PASSWORD = "test-store-password";

  @TempDir
  Path dir;
  private Path certPem;
  private Path keyPem;
  private KeyStore store;
  private RemoteFixture remote;
  private Process worker;

  @BeforeEach
  void makeCertificate() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process made = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "runline", "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(made.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(made.exitValue()).as("keytool: " + output).isZero();

    store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, STORE_PASSWORD.toCharArray());
    }
    Certificate certificate = store.getCertificate("runline");
    certPem = dir.resolve("cert.pem");
    keyPem = dir.resolve("key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", store.getKey("runline", STORE_PASSWORD.toCharArray()).getEncoded()));

    remote = new RemoteFixture("30s", "2s", 2, ServerOptions.of("127.0.0.1", 0).withTls(certPem, keyPem));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (worker != null) {
      worker.destroyForcibly();
      worker.waitFor(10, TimeUnit.SECONDS);
    }
    remote.close();
  }

  private HttpClient trusting() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("runline", store.getCertificate("runline"));
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, factory.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  private HttpFixture.Reply send(HttpClient client, HttpRequest request) throws Exception {
    return HttpFixture.Reply.of(client.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aWorkerProcessAndAClientRunAJobOverHttps() throws Exception {
    HttpClient client = trusting();
    String base = "https://127.0.0.1:" + remote.port();
    worker = startTrustingWorker(base);

    HttpFixture.Reply run = send(client, HttpRequest.newBuilder(URI.create(base + "/v2/remote/run"))
        .header("Authorization", "Bearer " + RemoteFixture.KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"input\": {\"mode\": \"echo\", \"secret\": 42}}")).build());
    assertThat(run.status()).isEqualTo(200);
    String id = run.text("id");

    HttpRequest status = HttpRequest.newBuilder(URI.create(base + "/v2/remote/status/" + id))
        .header("Authorization", "Bearer " + RemoteFixture.KEY).GET().build();
    await().atMost(Duration.ofSeconds(60))
        .until(() -> send(client, status).text("status").equals("COMPLETED"));
    HttpFixture.Reply done = send(client, status);
    assertThat(done.json().path("output").path("secret").asInt()).isEqualTo(42);
    assertThat(done.text("workerId")).isEqualTo("tls-worker");
  }

  private Process startTrustingWorker(String base) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(ProtocolWorker.python(), ProtocolWorker.script().toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("worker.out").toFile());
    String at = base + "/v2/remote/";
    builder.environment().putAll(java.util.Map.of(
        "RUNPOD_WEBHOOK_GET_JOB", at + "job-take/$ID?gpu=test",
        "RUNPOD_WEBHOOK_POST_OUTPUT", at + "job-done/$RUNPOD_POD_ID/$ID?gpu=test",
        "RUNPOD_WEBHOOK_POST_STREAM", at + "job-stream/$RUNPOD_POD_ID/$ID?gpu=test",
        "RUNPOD_WEBHOOK_PING", at + "ping/$RUNPOD_POD_ID?gpu=test",
        "RUNPOD_AI_API_KEY", RemoteFixture.WORKER_KEY,
        "RUNPOD_POD_ID", "tls-worker",
        // OpenSSL's default verify paths, which Python's urllib uses, trust this file.
        "SSL_CERT_FILE", certPem.toString()));
    return builder.start();
  }

  @Test
  void plainHttpIsNotServed() {
    HttpRequest plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + remote.port() + "/v2/remote/health"))
        .header("Authorization", "Bearer " + RemoteFixture.KEY).timeout(Duration.ofSeconds(10)).GET().build();

    assertThatThrownBy(() -> remote.server.client.send(plain, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aWorkerRouteOverHttpsRefusesAClientKey() throws Exception {
    HttpFixture.Reply taken = send(trusting(), HttpRequest.newBuilder(
        URI.create("https://127.0.0.1:" + remote.port() + "/v2/remote/job-take/w1?job_in_progress=0"))
        .header("Authorization", RemoteFixture.KEY).GET().build());

    assertThat(taken.status()).isEqualTo(401);
    assertThat(List.of(taken.raw().body())).noneMatch(body -> body.contains(RemoteFixture.KEY));
  }
}
