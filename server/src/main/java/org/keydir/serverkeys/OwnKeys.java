package org.keydir.serverkeys;

/** This server's identity for federation: its name and the key it signs outgoing requests with. */
public interface OwnKeys {
  String serverName();

  /** The active signing key (from the replica's in-memory key ring; never I/O). */
  SigningKey signingKey();
}
