package dytrain.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small text corpus for the storage tests: three files of short documents separated by blank lines. */
final class StorageCorpus {
  private StorageCorpus() {}

  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(3);
    String[] words = {"the", "seed", "of", "light", "and", "water", "came", "forth", "upon", "earth", "in", "those", "days"};
    for (int f = 0; f < 3; f++) {
      List<String> docs = new ArrayList<>();
      for (int d = 0; d < 30; d++) {
        StringBuilder doc = new StringBuilder("Chapter " + f + "." + d + ".");
        for (int w = 0; w < 20 + r.nextInt(30); w++) doc.append(' ').append(words[r.nextInt(words.length)]);
        docs.add(doc.append('.').toString());
      }
      Files.writeString(dir.resolve("part-" + f + ".txt"), String.join("\n\n", docs) + "\n");
    }
    return dir;
  }
}
