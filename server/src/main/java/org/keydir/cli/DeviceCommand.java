package org.keydir.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Optional;
import org.keydir.admin.CreatedDevice;
import org.keydir.admin.ResetReport;
import org.keydir.usecases.AdminJson;
import org.keydir.usecases.DeviceView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keydir device create|show|list|reset|delete}: the admin API's device operations, from the
 * box.
 */
@Command(
    name = "device",
    description = "Create, inspect, reset and delete devices.",
    subcommands = {
      DeviceCommand.Create.class,
      DeviceCommand.Show.class,
      DeviceCommand.ListDevices.class,
      DeviceCommand.Reset.class,
      DeviceCommand.Delete.class
    })
final class DeviceCommand {

  abstract static class Base extends ContextCommand {}

  @Command(
      name = "create",
      description =
          "Create a device (or a new token for an existing one) and print its access token.")
  static final class Create extends Base {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Option(names = "--device-id")
    String deviceId;

    @Option(names = "--display-name")
    String displayName;

    @Override
    void run(CliContext ctx) {
      CreatedDevice d =
          ctx.await(
              ctx.services
                  .deviceAdmin()
                  .createDevice(
                      ctx.actor,
                      userId,
                      Optional.ofNullable(deviceId),
                      Optional.ofNullable(displayName)));
      output.print(
          out(),
          AdminJson.created(d),
          "created " + d.userId() + " " + d.deviceId() + "\naccess_token " + d.accessToken());
    }
  }

  @Command(
      name = "show",
      description =
          "Show a device: identity keys, one-time key counts, fallback keys, claims served.")
  static final class Show extends Base {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Parameters(index = "1", paramLabel = "DEVICE_ID")
    String deviceId;

    @Override
    void run(CliContext ctx) {
      DeviceView v = ctx.await(ctx.services.deviceAdmin().show(userId, deviceId));
      var cs = ctx.await(ctx.services.crossSigningAdmin().show(userId));
      var json = (com.fasterxml.jackson.databind.node.ObjectNode) AdminJson.device(v);
      cs.remove("user_id");
      json.set("cross_signing", cs);
      StringBuilder text = new StringBuilder(DeviceText.of(v));
      cs.properties()
          .forEach(
              k ->
                  text.append("\ncross-signing ")
                      .append(k.getKey())
                      .append(": ")
                      .append(k.getValue().path("public_key").asText()));
      output.print(out(), json, text.toString());
    }
  }

  @Command(name = "list", description = "List a user's devices with their key counts.")
  static final class ListDevices extends Base {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Override
    void run(CliContext ctx) {
      List<DeviceView> views = ctx.await(ctx.services.deviceAdmin().list(userId));
      var arr = JsonNodeFactory.instance.arrayNode();
      views.forEach(v -> arr.add(AdminJson.device(v)));
      StringBuilder text = new StringBuilder(views.isEmpty() ? "no devices" : "");
      views.forEach(v -> text.append(text.length() == 0 ? "" : "\n").append(DeviceText.line(v)));
      output.print(
          out(), JsonNodeFactory.instance.objectNode().set("devices", arr), text.toString());
    }
  }

  @Command(
      name = "reset",
      description = "Delete a device's one-time keys, fallback keys and/or device keys (audited).")
  static final class Reset extends Base {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Parameters(index = "1", paramLabel = "DEVICE_ID")
    String deviceId;

    @Option(names = "--one-time-keys", description = "Delete every available one-time key.")
    boolean otks;

    @Option(names = "--fallback-keys", description = "Delete the fallback keys.")
    boolean fallbacks;

    @Option(
        names = "--device-keys",
        description = "Delete the identity keys (the device may then upload new ones).")
    boolean deviceKeys;

    @Override
    void run(CliContext ctx) {
      if (!otks && !fallbacks && !deviceKeys) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "name what to reset: --one-time-keys, --fallback-keys and/or --device-keys");
      }
      ResetReport r =
          ctx.await(
              ctx.services
                  .deviceAdmin()
                  .resetKeys(ctx.actor, userId, deviceId, otks, fallbacks, deviceKeys));
      output.print(
          out(),
          JsonNodeFactory.instance.objectNode().set("deleted", AdminJson.reset(r)),
          DeviceText.deleted(r));
    }
  }

  @Command(name = "delete", description = "Delete a device with all its keys and tokens (audited).")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "USER_ID")
    String userId;

    @Parameters(index = "1", paramLabel = "DEVICE_ID")
    String deviceId;

    @Override
    void run(CliContext ctx) {
      ResetReport r = ctx.await(ctx.services.deviceAdmin().delete(ctx.actor, userId, deviceId));
      output.print(
          out(),
          JsonNodeFactory.instance.objectNode().set("deleted", AdminJson.reset(r)),
          "deleted device " + deviceId + " of " + userId + ": " + DeviceText.deleted(r));
    }
  }
}
