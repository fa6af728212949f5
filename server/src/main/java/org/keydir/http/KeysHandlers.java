package org.keydir.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.keydir.auth.Caller;
import org.keydir.keys.ClaimRequest;
import org.keydir.keys.CrossSigningUpload;
import org.keydir.keys.KeydirException;
import org.keydir.keys.QueryRequest;
import org.keydir.keys.UploadRequest;
import org.keydir.usecases.CrossSigningUploads;
import org.keydir.usecases.KeyClaims;
import org.keydir.usecases.KeyQueries;
import org.keydir.usecases.KeyUploads;
import org.keydir.usecases.SignatureUploads;

/** {@code /_matrix/client/v3/keys/{upload,query,claim}}: parse → domain → render. */
final class KeysHandlers {
  private final KeyUploads uploads;
  private final KeyClaims claims;
  private final KeyQueries queries;

  private final CrossSigningUploads crossSigning;
  private final SignatureUploads signatures;

  KeysHandlers(
      KeyUploads uploads,
      KeyClaims claims,
      KeyQueries queries,
      CrossSigningUploads crossSigning,
      SignatureUploads signatures) {
    this.crossSigning = crossSigning;
    this.signatures = signatures;
    this.uploads = uploads;
    this.claims = claims;
    this.queries = queries;
  }

  /** POST /keys/upload {device_keys?, one_time_keys?, fallback_keys?} → {one_time_key_counts}. */
  Future<JsonNode> upload(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    UploadRequest req = UploadRequest.fromJson(JsonBodies.object(ctx));
    return uploads.upload(caller, req).map(KeysJson::counts);
  }

  /**
   * POST /keys/upload/{deviceId}: the deprecated form older clients still send. Like Synapse, the
   * path may only name the caller's own device (the token decides whose keys these are).
   */
  Future<JsonNode> uploadForPathDevice(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    if (!caller.deviceId().equals(ctx.pathParam("deviceId"))) {
      throw KeydirException.invalidParam(
          "the device in the path is not the device of this access token");
    }
    return upload(ctx);
  }

  /**
   * POST /keys/claim {one_time_keys: {user: {device: algorithm}}, timeout?} → {one_time_keys,
   * failures}.
   */
  Future<JsonNode> claim(RoutingContext ctx) {
    ClaimRequest req = ClaimRequest.fromJson(JsonBodies.object(ctx));
    return claims.claim(req).map(KeysJson::claimed);
  }

  /** POST /keys/query {device_keys: {user: [device…]}, timeout?} → {device_keys, failures}. */
  Future<JsonNode> query(RoutingContext ctx) {
    QueryRequest req = QueryRequest.fromJson(JsonBodies.object(ctx));
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    return queries.query(caller.userId(), req).map(KeysJson::queried);
  }

  /**
   * POST /keys/signatures/upload {user: {key_id: signed object}} → {failures: {user: {key_id:
   * {errcode, error}}}}.
   */
  Future<JsonNode> signaturesUpload(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    var entries = SignatureUploads.parse(JsonBodies.object(ctx));
    return signatures.upload(caller, entries).map(KeysJson::signatureFailures);
  }

  /** POST /keys/device_signing/upload {master_key?, self_signing_key?, user_signing_key?} → {}. */
  Future<JsonNode> deviceSigningUpload(RoutingContext ctx) {
    Caller caller = ctx.get(Caller.CONTEXT_KEY);
    CrossSigningUpload req = CrossSigningUpload.fromJson(JsonBodies.object(ctx));
    return crossSigning.upload(caller, req).map(v -> KeysJson.empty());
  }
}
