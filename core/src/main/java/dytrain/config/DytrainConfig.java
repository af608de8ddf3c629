package dytrain.config;

/**
 * A whole dytrain configuration file: the model and the seed that initialises it. Later sections
 * (training, data, distributed) are added here as records of their own.
 */
public record DytrainConfig(ModelConfig model, Long seed) {
  public DytrainConfig {
    if (model == null) {
      throw new DytrainException("config has no 'model:' section");
    }
    seed = seed == null ? 0L : seed;
  }
}
