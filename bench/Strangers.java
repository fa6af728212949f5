import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What strangers cost a running keydir (issue 12), measured from outside:
 *   java bench/Strangers.java origins <base> <n>        n federation requests, each from a made-up origin
 *   java bench/Strangers.java claim <base> <token> <n>  one claim naming n made-up local devices, timed
 * Prints status counts / milliseconds; read the server's heap and RSS around it (jcmd, /proc).
 */
public class Strangers {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] a) throws Exception {
    if (a[0].equals("origins")) origins(a[1], Integer.parseInt(a[2]));
    else claim(a[1], a[2], Integer.parseInt(a[3]));
  }

  static void origins(String base, int n) throws Exception {
    AtomicIntegerArray statuses = new AtomicIntegerArray(600);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int k = i;
      pool.submit(() -> {
        String origin = "10." + (k >> 16 & 255) + "." + (k >> 8 & 255) + "." + (k & 255) + ":8448";
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/_matrix/federation/v1/user/keys/query"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "X-Matrix origin=\"" + origin + "\",key=\"ed25519:k" + k + "\",sig=\"AAAA\"")
            .POST(HttpRequest.BodyPublishers.ofString("{\"device_keys\":{}}")).build();
        try {
          statuses.incrementAndGet(HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (Exception e) {
          statuses.incrementAndGet(0);
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.HOURS);
    StringBuilder out = new StringBuilder();
    for (int s = 0; s < 600; s++) if (statuses.get(s) > 0) out.append(s == 0 ? "error" : s).append('=').append(statuses.get(s)).append(' ');
    System.out.printf("%d origins in %d ms: %s%n", n, (System.nanoTime() - t0) / 1_000_000, out);
  }

  static void claim(String base, String token, int n) throws Exception {
    StringBuilder b = new StringBuilder("{\"one_time_keys\":{");
    for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("\"@nobody").append(i).append(":localhost\":{\"D\":\"signed_curve25519\"}");
    b.append("}}");
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/_matrix/client/v3/keys/claim")).timeout(Duration.ofMinutes(5))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(b.toString())).build();
    long t0 = System.nanoTime();
    int status = HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    System.out.printf("claim of %d made-up devices: %d in %d ms%n", n, status, (System.nanoTime() - t0) / 1_000_000);
  }
}
