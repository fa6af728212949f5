package org.keydir.cli;

import java.nio.file.Path;
import org.keydir.config.ConfigLoader;
import org.keydir.config.KeydirConfig;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that needs the configuration. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML config file; KEYDIR_* environment variables override it.")
  Path file;

  KeydirConfig load() {
    ConfigLoader.refuseUnknownEnvironment(System.getenv());
    return ConfigLoader.load(file, System.getenv());
  }
}
