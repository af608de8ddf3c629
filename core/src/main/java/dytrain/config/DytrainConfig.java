package dytrain.config;

/**
 * A whole dytrain configuration file: the model, the seed that initialises it and orders the data, the
 * dataset and the training run. Cross-section rules (the sequence length fits the model) live here.
 */
public record DytrainConfig(
    ModelConfig model, Long seed, DataConfig data, TrainConfig train, DistributedConfig distributed) {
  public DytrainConfig {
    if (model == null) {
      throw new DytrainException("config has no 'model:' section");
    }
    seed = seed == null ? 0L : seed;
    data = data == null ? DataConfig.defaults() : data;
    train = train == null ? TrainConfig.defaults() : train;
    distributed = distributed == null ? DistributedConfig.defaults() : distributed;
    if (distributed.diloco() && train.checkpointEvery() % distributed.innerSteps() != 0) {
      throw new DytrainException("train.checkpoint_every = " + train.checkpointEvery() + " must be a multiple of"
          + " distributed.inner_steps = " + distributed.innerSteps() + " with sync: diloco, so that checkpoints"
          + " hold a model the ranks share");
    }
    if (distributed.diloco() && train.steps() % distributed.innerSteps() != 0) {
      throw new DytrainException("train.steps = " + train.steps() + " must be a multiple of distributed.inner_steps = "
          + distributed.innerSteps() + " with sync: diloco, so that the run ends on an outer step, with one model");
    }
    if (train.seqLen() != null && train.seqLen() > model.maxSeqLen()) {
      throw new DytrainException(
          "train.seq_len = " + train.seqLen() + " exceeds model.max_seq_len = " + model.maxSeqLen());
    }
    int perRank = globalBatchSequences(model, train) / distributed.ranks();
    if (globalBatchSequences(model, train) % distributed.ranks() != 0 || perRank % train.microBatchSize() != 0) {
      if (train.globalBatchTokens() == null) {
        throw new DytrainException("train.global_batch_tokens is not set, so a step is one micro-batch of "
            + train.microBatchSize() + " sequences, which distributed.ranks = " + distributed.ranks() + " cannot share;"
            + " set train.global_batch_tokens to a multiple of micro_batch_size x seq_len x ranks = "
            + (long) train.microBatchSize() * seqLen(model, train) * distributed.ranks());
      }
      throw new DytrainException("the global batch of " + globalBatchSequences(model, train) + " sequences"
          + " (train.global_batch_tokens / seq_len) must split into distributed.ranks = " + distributed.ranks()
          + " equal parts, each a whole number of train.micro_batch_size = " + train.microBatchSize());
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
    return globalBatchSequences(model, train);
  }

  private static int globalBatchSequences(ModelConfig model, TrainConfig train) {
    return train.globalBatchTokens() == null
        ? train.microBatchSize()
        : train.globalBatchTokens() / seqLen(model, train);
  }

  private static int seqLen(ModelConfig model, TrainConfig train) {
    return train.seqLen() != null ? train.seqLen() : model.maxSeqLen();
  }
}
