package org.keydir.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.stream.IntStream;

/**
 * Many objects signed by one key, checked on all cores: an upload of 100 signed one-time keys is
 * 100 verifications (≈ 4 ms of CPU), which one thread would add in full to the request's latency.
 * The verdicts are the same as one {@link JsonSigning#verify} per object, in order.
 */
public final class ManySignatures {
  /** Below this many objects the hand-over to other threads costs more than it saves. */
  static final int PARALLEL_FROM = 8;

  private static final ForkJoinPool POOL =
      new ForkJoinPool(
          Runtime.getRuntime().availableProcessors(),
          pool -> {
            ForkJoinWorkerThread t =
                ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("keydir-verify-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
          },
          null,
          false);

  private ManySignatures() {}

  /** verdicts[i]: whether objects[i] carries a valid signatures.{entity}.{keyId} by publicKey. */
  public static boolean[] verify(
      List<JsonNode> objects, String entity, String keyId, Ed25519.PublicKey publicKey) {
    boolean[] verdicts = new boolean[objects.size()];
    java.util.function.IntConsumer check =
        i -> verdicts[i] = JsonSigning.verify(objects.get(i), entity, keyId, publicKey);
    if (objects.size() < PARALLEL_FROM) {
      IntStream.range(0, objects.size()).forEach(check);
    } else {
      POOL.submit(() -> IntStream.range(0, objects.size()).parallel().forEach(check)).join();
    }
    return verdicts;
  }
}
