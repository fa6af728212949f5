package org.keydir.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.keydir.lifecycle.StatisticsPolicy.TableActivity;

class StatisticsPolicyTest {
  @Test
  void a_never_analyzed_table_is_analyzed_once_a_thousand_rows_changed() {
    assertThat(StatisticsPolicy.needsAnalysis(new TableActivity("t", -1, 999))).isFalse();
    assertThat(StatisticsPolicy.needsAnalysis(new TableActivity("t", -1, 1_000))).isTrue();
  }

  @Test
  void an_analyzed_table_waits_until_it_changed_by_its_own_size() {
    assertThat(StatisticsPolicy.needsAnalysis(new TableActivity("t", 50_000, 49_999))).isFalse();
    assertThat(StatisticsPolicy.needsAnalysis(new TableActivity("t", 50_000, 50_000))).isTrue();
    assertThat(StatisticsPolicy.needsAnalysis(new TableActivity("t", 10, 999))).isFalse();
  }

  /** Growing from empty by inserts only, a table is analyzed about log2 of its final size times. */
  @Property
  void a_table_growing_from_empty_is_analyzed_logarithmically_often(
      @ForAll @LongRange(min = 1, max = 5_000_000) long finalRows,
      @ForAll @IntRange(min = 1, max = 5_000) int step) {
    double analyzedAt = -1;
    long changed = 0;
    int analyses = 0;
    for (long rows = 0; rows < finalRows; rows = Math.min(finalRows, rows + step)) {
      changed += Math.min(step, finalRows - rows);
      if (StatisticsPolicy.needsAnalysis(new TableActivity("t", analyzedAt, changed))) {
        analyses++;
        analyzedAt = rows + Math.min(step, finalRows - rows);
        changed = 0;
      }
    }
    assertThat(analyses)
        .isLessThanOrEqualTo(
            2 + (int) Math.ceil(Math.log(Math.max(2, finalRows / 1000.0)) / Math.log(2)));
    // and never more than MIN_CHANGED_ROWS + one step of rows, or the table's size, goes unanalyzed
    assertThat((double) changed)
        .isLessThan(Math.max(StatisticsPolicy.MIN_CHANGED_ROWS, analyzedAt) + step);
  }
}
