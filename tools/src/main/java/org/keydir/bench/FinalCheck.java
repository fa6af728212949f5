package org.keydir.bench;

/**
 * The end-of-run check that no key was lost or duplicated in storage: every device's count of
 * available one-time keys, asked with an empty upload, must equal the bench's ledger.
 *
 * @param uncertain devices whose ledger cannot be exact (a request to them failed), not compared
 */
record FinalCheck(int checked, int mismatches, int uncertain) {}
