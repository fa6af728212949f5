package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.TreeMap;
import org.keydir.auth.Caller;
import org.keydir.keys.ResetRequest;
import org.keydir.usecases.KeyResets;
import org.keydir.usecases.OneTimeKeyListing;

/** MSC4162 {@code /keys/reset} and keydir's desync listing of the caller's one-time key ids. */
final class ResetHandlers {
  private final KeyResets resets;
  private final OneTimeKeyListing listing;

  ResetHandlers(KeyResets resets, OneTimeKeyListing listing) {
    this.resets = resets;
    this.listing = listing;
  }

  /**
   * POST /keys/reset {all, key_ids?} → {"device_one_time_keys_count": {algorithm: count after}}.
   */
  Future<JsonNode> reset(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    ResetRequest req = ResetRequest.fromJson(JsonBodies.object(ctx));
    return resets
        .reset(caller, req)
        .map(
            counts -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              ObjectNode c = body.putObject("device_one_time_keys_count");
              c.put("signed_curve25519", 0);
              new TreeMap<>(counts).forEach(c::put);
              return body;
            });
  }

  /**
   * GET …/io.keydir/keys/one_time_keys?from=&limit= → {one_time_keys: [{key_id, algorithm,
   * uploaded_ts}], next_from?}.
   */
  Future<JsonNode> listOneTimeKeys(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    int limit = OneTimeKeyListing.parseLimit(Optional.ofNullable(ctx.request().getParam("limit")));
    Optional<String> from =
        Optional.ofNullable(ctx.request().getParam("from")).filter(s -> !s.isEmpty());
    return listing
        .list(caller, from, limit)
        .map(
            page -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              var keys = body.putArray("one_time_keys");
              page.keys()
                  .forEach(
                      k ->
                          keys.addObject()
                              .put("key_id", k.keyId().toString())
                              .put("algorithm", k.keyId().algorithm())
                              .put("uploaded_ts", k.uploadedTs()));
              page.nextFrom().ifPresent(n -> body.put("next_from", n));
              return body;
            });
  }
}
