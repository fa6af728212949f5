package org.keydir.chaos;

/**
 * One client's loop: a random operation at a time, each inside the {@link Gate}, until the budget
 * is spent. The mix keeps 16 devices short of keys often enough that claims also hand out fallback
 * keys, and has many clients act for the same device at once.
 */
final class Workload implements Runnable {
  /** Weights, in percent: the order of {@link #one}. */
  private static final int[] WEIGHTS = {25, 3, 30, 14, 4, 2, 15, 7};

  private final ChaosClient client;
  private final Budget budget;
  private final Gate gate;
  private final Violations violations;
  private final Uploads uploads;
  private final Claims claims;
  private final Resets resets;
  private final Queries queries;

  Workload(ChaosClient client, World world, Budget budget, Gate gate) {
    this.client = client;
    this.budget = budget;
    this.gate = gate;
    this.violations = world.violations();
    this.uploads = new Uploads(world);
    this.claims = new Claims(world);
    this.resets = new Resets(world);
    this.queries = new Queries(world);
  }

  @Override
  public void run() {
    try (client) {
      while (budget.more()) {
        gate.enter();
        try {
          if (budget.more()) one(pick());
        } catch (RuntimeException e) {
          violations.add("an answer the harness could not read", client.id + ": " + e);
        } finally {
          gate.exit();
        }
      }
    }
  }

  private int pick() {
    int r = client.rnd.nextInt(100);
    for (int i = 0; i < WEIGHTS.length; i++) {
      r -= WEIGHTS[i];
      if (r < 0) return i;
    }
    return 0;
  }

  private void one(int op) {
    switch (op) {
      case 0 -> uploads.oneTimeKeys(client);
      case 1 -> uploads.fallbackKey(client);
      case 2 -> claims.claim(client, 1);
      case 3 -> claims.claim(client, 2 + client.rnd.nextInt(4));
      case 4 -> resets.resetSome(client);
      case 5 -> resets.resetAll(client);
      case 6 -> queries.query(client);
      default -> resets.listOnly(client);
    }
  }
}
