package dytrain.sweep;

import dytrain.config.DytrainConfig;
import dytrain.data.TokenDataset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;

/** What a trial's id knows of its dataset: a content hash, so equal data gives equal ids wherever it lives. */
@FunctionalInterface
public interface DatasetIdentity {

  /** The identity of a config without data.dataset (a model-only sweep, a test). */
  String NONE = "none";

  String of(DytrainConfig config);

  /** The manifest's content hash (sha256 over the shards' row hashes), read once per dataset folder. */
  static DatasetIdentity manifests(Configuration conf) {
    Map<String, String> cache = new ConcurrentHashMap<>();
    return config -> config.data().dataset() == null ? NONE
        : cache.computeIfAbsent(config.data().dataset(), dir -> TokenDataset.open(dir, conf).manifest().contentHash());
  }
}
