package org.keydir.app;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.keydir.config.KeydirConfig;
import org.keydir.keys.ClaimedKey;
import org.keydir.keys.RemoteLimits;
import org.keydir.keys.RemoteServers;
import org.keydir.keys.UploadLimits;
import org.keydir.store.AuditStore;
import org.keydir.store.ClaimStore;
import org.keydir.store.CrossSigningKeyStore;
import org.keydir.store.Database;
import org.keydir.store.DeviceKeyStore;
import org.keydir.store.DeviceListStore;
import org.keydir.store.DeviceStore;
import org.keydir.store.FallbackKeyStore;
import org.keydir.store.KeySignatureStore;
import org.keydir.store.OneTimeKeyStore;
import org.keydir.store.RetentionStore;
import org.keydir.store.StatisticsStore;
import org.keydir.store.TokenStore;
import org.keydir.usecases.AuditLog;
import org.keydir.usecases.CrossSigningUploads;
import org.keydir.usecases.DeviceAdmin;
import org.keydir.usecases.KeyClaims;
import org.keydir.usecases.KeyQueries;
import org.keydir.usecases.KeyResets;
import org.keydir.usecases.KeyUploads;
import org.keydir.usecases.LocalTokens;
import org.keydir.usecases.OneTimeKeyListing;
import org.keydir.usecases.Retention;
import org.keydir.usecases.SignatureUploads;
import org.keydir.usecases.StatisticsKeeper;

/**
 * The composition root of the use cases: every store and use case over one database is built here,
 * once, for the HTTP server ({@code Keydir.start}), the CLI ({@code CliContext}) and the tests
 * (ArchitectureTest: no other package calls their constructors). The signing-key use cases need the
 * key-encryption key, so they are built on first use.
 */
public record Services(
    Database database,
    LocalTokens tokens,
    DeviceAdmin deviceAdmin,
    AuditLog auditLog,
    KeyUploads uploads,
    KeyClaims claims,
    KeyQueries queries,
    KeyResets resets,
    OneTimeKeyListing listing,
    CrossSigningUploads crossSigning,
    SignatureUploads signatures,
    org.keydir.usecases.CrossSigningAdmin crossSigningAdmin,
    org.keydir.usecases.DeviceListChanges deviceListChanges,
    Supplier<ServerKeyParts> serverKeys,
    Retention retention,
    StatisticsKeeper statistics) {

  public static Services wire(
      Database database, KeydirConfig config, Clock clock, RemoteServers remote) {
    return wire(
        database,
        config,
        clock,
        remote,
        claimed -> {},
        once(
            () ->
                ServerKeyParts.wire(
                    database.pool(), config, KeyEncryptionKeys.resolve(config), clock)));
  }

  public static Services wire(
      Database database,
      KeydirConfig config,
      Clock clock,
      RemoteServers remote,
      Consumer<List<ClaimedKey>> onClaimed,
      Supplier<ServerKeyParts> serverKeys) {
    var pool = database.pool();
    DeviceStore devices = new DeviceStore();
    TokenStore tokens = new TokenStore();
    LocalTokens localTokens =
        new LocalTokens(
            hash -> tokens.lookup(database.statements(), hash),
            config.auth().cacheTtlMs(),
            config.auth().maxCachedTokens());
    DeviceKeyStore deviceKeys = new DeviceKeyStore(database.shards());
    OneTimeKeyStore oneTimeKeys = new OneTimeKeyStore();
    FallbackKeyStore fallbackKeys = new FallbackKeyStore();
    AuditStore audit = new AuditStore();
    DeviceListStore deviceLists = new DeviceListStore(clock);
    CrossSigningKeyStore crossSigningKeys = new CrossSigningKeyStore();
    KeySignatureStore keySignatures = new KeySignatureStore();
    org.keydir.store.CrossSigningApprovalStore approvals =
        new org.keydir.store.CrossSigningApprovalStore();
    String server = config.serverName();
    org.keydir.store.TrackingStore tracking = new org.keydir.store.TrackingStore();
    // host mode's /sync pass-through reports changes of the users a user's devices asked about
    org.keydir.keys.QueryTracking queryTracking =
        config.auth().delegated() && !config.auth().hostUrl().isEmpty()
            ? tracking.on(pool, clock)
            : org.keydir.keys.QueryTracking.NONE;
    RemoteLimits remoteLimits =
        new RemoteLimits(
            config.federation().maxServersPerRequest(), config.federation().requestTimeoutMs());
    return new Services(
        database,
        localTokens,
        new DeviceAdmin(
            pool,
            new DeviceAdmin.Stores(
                devices,
                tokens,
                deviceKeys,
                oneTimeKeys,
                fallbackKeys,
                audit,
                deviceLists,
                tracking,
                new org.keydir.store.DeviceOverviewStore()),
            server,
            clock,
            config.auth().delegated() ? null : localTokens),
        new AuditLog(pool, audit),
        new KeyUploads(
            pool,
            devices,
            deviceKeys,
            oneTimeKeys,
            fallbackKeys,
            deviceLists,
            new UploadLimits(
                config.limits().maxOtksPerAlgorithm(),
                config.limits().maxKeysPerUpload(),
                config.limits().maxOtksPerDevice(),
                config.limits().maxAlgorithmsPerDevice()),
            clock),
        new KeyClaims(
            pool,
            database.statements(),
            new ClaimStore(database.shards()),
            server,
            clock,
            remote,
            remoteLimits,
            config.limits().maxDevicesPerClaim(),
            onClaimed),
        new KeyQueries(
            database.statements(),
            deviceKeys,
            deviceLists,
            server,
            remote,
            remoteLimits,
            config.limits().maxUsersPerQuery(),
            queryTracking,
            crossSigningKeys,
            keySignatures),
        new KeyResets(pool, devices, oneTimeKeys, audit, clock),
        new OneTimeKeyListing(pool, oneTimeKeys),
        new CrossSigningUploads(
            pool,
            crossSigningKeys,
            devices,
            deviceLists,
            clock,
            approvals,
            keySignatures,
            audit,
            config.crossSigning().approvalUrl()),
        new SignatureUploads(
            pool, server, deviceKeys, crossSigningKeys, keySignatures, deviceLists, devices, clock),
        new org.keydir.usecases.CrossSigningAdmin(
            pool, approvals, audit, server, clock, crossSigningKeys, keySignatures, deviceLists),
        new org.keydir.usecases.DeviceListChanges(pool, deviceLists),
        serverKeys,
        new Retention(
            pool,
            new RetentionStore(),
            audit,
            clock,
            config.limits().claimedKeyRetentionMs(),
            config.audit().retentionMs(),
            config.cleanup().batchSize()),
        new StatisticsKeeper(pool, new StatisticsStore()));
  }

  private static <T> Supplier<T> once(Supplier<T> make) {
    return new Supplier<>() {
      private T made;

      @Override
      public synchronized T get() {
        if (made == null) made = make.get();
        return made;
      }
    };
  }
}
