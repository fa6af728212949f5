package org.keydir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeviceLedgerTest {
  private final DeviceLedger ledger = new DeviceLedger();

  @Test
  void key_ids_round_trip_and_foreign_ids_are_not_ours() {
    assertThat(DeviceLedger.keyNumber(DeviceLedger.keyId(123456))).isEqualTo(123456);
    assertThat(DeviceLedger.keyNumber("AAAAAQ")).isEqualTo(-1);
    assertThat(DeviceLedger.keyNumber("b")).isEqualTo(-1);
  }

  @Test
  void one_upload_per_device_at_a_time_and_never_past_the_cap() {
    DeviceLedger.UploadTicket t = ledger.reserveUpload(10, 15);
    assertThat(t.first()).isZero();
    assertThat(ledger.reserveUpload(1, 15)).isNull();
    ledger.uploadAnswered(10, true);
    assertThat(ledger.reserveUpload(6, 15)).isNull();
    assertThat(ledger.reserveUpload(5, 15).first()).isEqualTo(10);
    assertThat(ledger.wasUploaded(14)).isTrue();
    assertThat(ledger.wasUploaded(15)).isFalse();
  }

  @Test
  void an_upload_answer_count_agrees_when_it_lies_between_what_racing_claims_allow() {
    ledger.uploadAnswered(ledger.reserveUpload(10, 100).count(), true);
    DeviceLedger.UploadTicket t = ledger.reserveUpload(10, 100);
    ledger.reserveClaim(); // a claim sent while the upload is in flight
    ledger.uploadAnswered(t.count(), true);
    assertThat(ledger.countAgrees(20, t)).isTrue(); // the claim was not applied yet
    assertThat(ledger.countAgrees(19, t)).isTrue(); // it was
    assertThat(ledger.countAgrees(18, t)).isFalse(); // a key went missing
    assertThat(ledger.countAgrees(21, t)).isFalse(); // a key appeared
  }

  @Test
  void a_claim_answered_before_the_upload_answer_may_or_may_not_be_in_its_count() {
    ledger.uploadAnswered(ledger.reserveUpload(10, 100).count(), true);
    DeviceLedger.UploadTicket t = ledger.reserveUpload(10, 100);
    ledger.reserveClaim();
    ledger.claimAnswered(3, true); // claimed after the upload was sent, answered before it
    ledger.uploadAnswered(t.count(), true);
    assertThat(ledger.countAgrees(20, t)).isTrue();
    assertThat(ledger.countAgrees(19, t)).isTrue();
    assertThat(ledger.countEquals(19)).isTrue();
    assertThat(ledger.countEquals(20)).isFalse();
  }
}
