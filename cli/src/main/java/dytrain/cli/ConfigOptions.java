package dytrain.cli;

import dytrain.config.ConfigLoader;
import dytrain.config.DytrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --config FILE [--set key.path=value ...]}, shared by every command that reads a config. */
final class ConfigOptions {

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config, e.g. configs/tiny.yaml")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key, e.g. --set model.norm_type=dyt")
  List<String> overrides = new ArrayList<>();

  DytrainConfig load() {
    return ConfigLoader.load(config, overrides);
  }
}
