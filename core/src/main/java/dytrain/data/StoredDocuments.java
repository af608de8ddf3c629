package dytrain.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The "read a document" service: one document of a token dataset, from its rows in the shards. */
public final class StoredDocuments {
  private StoredDocuments() {}

  /**
   * The tokens of document {@code docId} (its rows joined, without the EOS separators prep appended), or
   * empty when the dataset holds no such document.
   */
  public static Optional<int[]> tokens(TokenDataset dataset, long docId) throws IOException {
    Manifest m = dataset.manifest();
    List<int[]> pieces = new ArrayList<>();
    for (Manifest.Split split : m.splits().values()) {
      for (Manifest.Shard shard : split.shards()) {
        try (TokenShardReader rows = dataset.openShard(shard)) {
          for (TokenRow row; (row = rows.next()) != null; ) {
            if (row.docId() == docId) pieces.add(row.tokens());
          }
        }
        if (!pieces.isEmpty()) break; // a document's rows are consecutive, within one split
      }
      if (!pieces.isEmpty()) break;
    }
    if (pieces.isEmpty()) {
      return Optional.empty();
    }
    int eos = m.tokenizer().eosId();
    int total = 0;
    for (int[] p : pieces) {
      total += textLength(p, eos);
    }
    int[] out = new int[total];
    int at = 0;
    for (int[] p : pieces) {
      int n = textLength(p, eos);
      System.arraycopy(p, 0, out, at, n);
      at += n;
    }
    return Optional.of(out);
  }

  /** A row's length without the separator prep appended, which is not document text. */
  private static int textLength(int[] row, int eos) {
    return row.length > 0 && row[row.length - 1] == eos ? row.length - 1 : row.length;
  }
}
