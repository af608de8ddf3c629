package dytrain.diagnose;

import dytrain.config.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What {@code dytrain diagnose} measured for one {@code --model} folder: one snapshot for an export or a
 * checkpoint, one per checkpoint (oldest first) for a run folder.
 *
 * @param config the newest snapshot's model, as it was trained (its {@code dtype} too; the diagnosis ran in fp32)
 * @param tokens tokens the statistics were measured on
 */
public record Diagnosis(Path folder, ModelConfig config, long tokens, List<Snapshot> snapshots) {

  /** One model's statistics, layer by layer; its training step when it is a checkpoint. */
  public record Snapshot(OptionalLong step, List<LayerStatistics> layers) {}

  public Snapshot newest() {
    return snapshots.get(snapshots.size() - 1);
  }
}
