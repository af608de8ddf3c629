package dytrain.config;

/**
 * A whole dytrain configuration file: the model, the seed that initialises it and orders the data, the
 * dataset and the training run. Cross-section rules (the sequence length fits the model) live here.
 */
public record DytrainConfig(ModelConfig model, Long seed, DataConfig data, TrainConfig train) {
  public DytrainConfig {
    if (model == null) {
      throw new DytrainException("config has no 'model:' section");
    }
    seed = seed == null ? 0L : seed;
    data = data == null ? DataConfig.defaults() : data;
    train = train == null ? TrainConfig.defaults() : train;
    if (train.seqLen() != null && train.seqLen() > model.maxSeqLen()) {
      throw new DytrainException(
          "train.seq_len = " + train.seqLen() + " exceeds model.max_seq_len = " + model.maxSeqLen());
    }
    int tokensPerMicroBatch = train.microBatchSize() * seqLen(model, train);
    if (train.globalBatchTokens() != null && train.globalBatchTokens() % tokensPerMicroBatch != 0) {
      throw new DytrainException("train.global_batch_tokens = " + train.globalBatchTokens()
          + " must be a multiple of train.micro_batch_size x seq_len = " + tokensPerMicroBatch);
    }
  }

  /** Tokens per training sequence: train.seq_len, or the model's context when unset. */
  public int seqLen() {
    return seqLen(model, train);
  }

  /** Sequences in one optimizer step across all ranks. */
  public int globalBatchSequences() {
    return train.globalBatchTokens() == null
        ? train.microBatchSize()
        : train.globalBatchTokens() / seqLen();
  }

  private static int seqLen(ModelConfig model, TrainConfig train) {
    return train.seqLen() != null ? train.seqLen() : model.maxSeqLen();
  }
}
