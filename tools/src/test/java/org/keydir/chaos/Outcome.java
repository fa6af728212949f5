package org.keydir.chaos;

/** How a request ended, as far as the client can know. */
enum Outcome {
  /** 2xx: it happened, and the answer says what. */
  OK,
  /** 4xx: refused; keydir changes nothing on a refused request. */
  REJECTED,
  /** 503: the database was unreachable; a commit may still have happened before the error. */
  UNAVAILABLE,
  /** Another 5xx: always a violation; the change may or may not have happened. */
  SERVER_ERROR,
  /**
   * No answer (connection dropped, instance killed, timeout): the change may or may not have
   * happened.
   */
  NO_ANSWER,
  /** The chaos proxy could not reach the instance: keydir never saw the request. */
  NOT_DELIVERED;

  /** The request may or may not have changed the database. */
  boolean unknown() {
    return this == UNAVAILABLE || this == SERVER_ERROR || this == NO_ANSWER;
  }

  /** The request certainly changed nothing. */
  boolean noEffect() {
    return this == REJECTED || this == NOT_DELIVERED;
  }
}
