package org.keydir.cli;

import java.nio.file.Path;
import java.util.Map;
import org.keydir.config.ConfigLoader;
import org.keydir.config.KeydirConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --config FILE}, shared by every command that needs the configuration. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML config file; KEYDIR_* environment variables override it.")
  Path file;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  KeydirConfig load() {
    Map<String, String> env = ((KeydirCli) command.root().userObject()).env;
    ConfigLoader.refuseUnknownEnvironment(env);
    return ConfigLoader.load(file, env);
  }
}
