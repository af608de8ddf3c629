package dytrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenShardTest {
  static final Configuration CONF = new Configuration();
  @TempDir java.nio.file.Path dir;

  Path path(String name) {
    return new Path(dir.resolve(name).toUri());
  }

  TokenShardWriter.Written write(Path file, TokenDtype dtype, List<TokenRow> rows) throws Exception {
    try (TokenShardWriter w = new TokenShardWriter(DatasetFileSystem.of(file, CONF), file, dtype, 1 << 20)) {
      for (TokenRow r : rows) w.write(r.docId(), r.tokens());
      return w.finish();
    }
  }

  @Test
  void uint16RowsRoundTripIncludingEmptyAndMaxId() throws Exception {
    List<TokenRow> rows =
        List.of(new TokenRow(0, new int[] {1, 2, 65535}), new TokenRow(1, new int[0]), new TokenRow(7, new int[] {0}));
    Path file = path("a.parquet");
    TokenShardWriter.Written w = write(file, TokenDtype.UINT16, rows);
    assertEquals(3, w.rows());
    assertEquals(4, w.tokens());
    try (TokenShardReader r = new TokenShardReader(CONF, file, TokenDtype.UINT16)) {
      for (TokenRow expected : rows) {
        TokenRow got = r.next();
        assertEquals(expected.docId(), got.docId());
        assertArrayEquals(expected.tokens(), got.tokens());
      }
      assertNull(r.next());
    }
  }

  @Test
  void uint32HoldsIdsAbove65535() throws Exception {
    Path file = path("b.parquet");
    write(file, TokenDtype.UINT32, List.of(new TokenRow(3, new int[] {70000, 199999, 5})));
    try (TokenShardReader r = new TokenShardReader(CONF, file, TokenDtype.UINT32)) {
      assertArrayEquals(new int[] {70000, 199999, 5}, r.next().tokens());
    }
  }

  @Test
  void fileHasDesignSchemaZstdAndLittleEndianTokens() throws Exception {
    Path file = path("c.parquet");
    write(file, TokenDtype.UINT16, List.of(new TokenRow(42, new int[] {0x0102, 0x0304})));
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, CONF))) {
      ParquetMetadata footer = reader.getFooter();
      assertEquals(
          "message token_shard {\n  required int64 doc_id;\n  required int32 num_tokens;\n  required binary tokens;\n}\n",
          footer.getFileMetaData().getSchema().toString());
      for (ColumnChunkMetaData c : footer.getBlocks().get(0).getColumns()) {
        assertEquals(CompressionCodecName.ZSTD, c.getCodec());
      }
      var row = new GroupReadSupport();
      try (var rows = ParquetReader.builder(row, file).withConf(CONF).build()) {
        byte[] tokens = rows.read().getBinary("tokens", 0).getBytes();
        ByteBuffer le = ByteBuffer.wrap(tokens).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0102, le.getShort(0));
        assertEquals(0x0304, le.getShort(2));
      }
    }
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(f -> f.toString().endsWith(".crc")), "no checksum side files in a dataset");
    }
  }

  @Test
  void sameRowsGiveByteIdenticalFiles() throws Exception {
    List<TokenRow> rows = List.of(new TokenRow(0, new int[] {5, 6, 7}), new TokenRow(1, new int[] {8}));
    write(path("x.parquet"), TokenDtype.UINT16, rows);
    write(path("y.parquet"), TokenDtype.UINT16, rows);
    assertArrayEquals(Files.readAllBytes(dir.resolve("x.parquet")), Files.readAllBytes(dir.resolve("y.parquet")));
  }

  @Test
  void footerListsOneEncodingPerColumnSoBytesDoNotDependOnTheJvm() throws Exception {
    // parquet-mr writes a column chunk's encodings in HashSet order, which varies between JVM runs;
    // with a single encoding per chunk there is no order to vary.
    Path file = path("d.parquet");
    write(file, TokenDtype.UINT16, List.of(new TokenRow(0, new int[] {1, 2}), new TokenRow(1, new int[] {3})));
    byte[] bytes = Files.readAllBytes(dir.resolve("d.parquet"));
    int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    var footer =
        Util.readFileMetaData(
            new ByteArrayInputStream(bytes, bytes.length - 8 - footerLength, footerLength));
    for (var column : footer.getRow_groups().get(0).getColumns()) {
      assertEquals(1, column.getMeta_data().getEncodings().size(), column.getMeta_data().getPath_in_schema().toString());
    }
  }

  @Test
  void openingFolderWithoutManifestIsRefusedNamingIt() throws Exception {
    write(path("train-00000-0000.parquet"), TokenDtype.UINT16, List.of(new TokenRow(0, new int[] {1})));
    DytrainException e = assertThrows(DytrainException.class, () -> TokenDataset.open(dir.toString(), CONF));
    assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("no manifest.json"), e.getMessage());
  }

  @Test
  void truncatedManifestIsRefused() throws Exception {
    Files.writeString(dir.resolve("manifest.json"), "{\"format_version\": 1, \"tokenizer\": {");
    DytrainException e = assertThrows(DytrainException.class, () -> TokenDataset.open(dir.toString(), CONF));
    assertTrue(e.getMessage().contains("not a valid dytrain manifest"), e.getMessage());
  }

  Manifest manifestFor(TokenShardWriter.Written w, String file, int vocab) throws Exception {
    long bytes = FileSystem.getLocal(CONF).getFileStatus(path(file)).getLen();
    Manifest.Shard shard = new Manifest.Shard(file, w.rows(), w.tokens(), w.rowGroups(), bytes, w.sha256());
    Map<String, Manifest.Split> splits = new LinkedHashMap<>();
    splits.put("train", new Manifest.Split(w.rows(), w.rows(), w.tokens(), List.of(shard)));
    splits.put("val", new Manifest.Split(0, 0, 0, List.of()));
    return new Manifest(
        Manifest.FORMAT_VERSION,
        new Manifest.TokenizerInfo("test", vocab, vocab - 1, vocab - 1, "h"),
        TokenDtype.forVocab(vocab),
        splits,
        new Manifest.Totals(w.rows(), w.rows(), w.tokens(), 0, 0),
        Manifest.contentHash(splits),
        List.of(),
        null);
  }

  @Test
  void validatorAcceptsConsistentDatasetAndManifestRoundTrips() throws Exception {
    TokenShardWriter.Written w =
        write(path("train-0.parquet"), TokenDtype.UINT16, List.of(new TokenRow(0, new int[] {1, 2}), new TokenRow(1, new int[] {3})));
    Manifest m = manifestFor(w, "train-0.parquet", 2048);
    Files.writeString(dir.resolve("manifest.json"), m.toJson());
    assertTrue(m.toJson().contains("\"vocab_size\" : 2048"));
    TokenDataset ds = TokenDataset.open(dir.toString(), CONF);
    assertEquals(m, ds.manifest());
    assertEquals(List.of(), DatasetValidator.validate(ds, s -> {}));
  }

  @Test
  void validatorReportsTokenIdAtOrAboveVocabNamingShardAndDoc() throws Exception {
    TokenShardWriter.Written w =
        write(path("train-0.parquet"), TokenDtype.UINT16, List.of(new TokenRow(0, new int[] {1}), new TokenRow(9, new int[] {5, 2048})));
    Files.writeString(dir.resolve("manifest.json"), manifestFor(w, "train-0.parquet", 2048).toJson());
    List<String> problems = DatasetValidator.validate(TokenDataset.open(dir.toString(), CONF), s -> {});
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("train-0.parquet row 1 (doc 9): token id 2048"), problems.get(0));
  }

  @Test
  void validatorReportsCountMismatchAndMissingShard() throws Exception {
    TokenShardWriter.Written w = write(path("train-0.parquet"), TokenDtype.UINT16, List.of(new TokenRow(0, new int[] {1})));
    Manifest m = manifestFor(w, "train-0.parquet", 300);
    write(path("train-0.parquet"), TokenDtype.UINT16, List.of(new TokenRow(0, new int[] {1}), new TokenRow(1, new int[] {2})));
    Files.writeString(dir.resolve("manifest.json"), m.toJson());
    List<String> problems = DatasetValidator.validate(TokenDataset.open(dir.toString(), CONF), s -> {});
    assertTrue(problems.stream().anyMatch(p -> p.contains("holds 2 rows / 2 tokens, manifest says 1 / 1")), problems.toString());
    Files.delete(dir.resolve("train-0.parquet"));
    problems = DatasetValidator.validate(TokenDataset.open(dir.toString(), CONF), s -> {});
    assertTrue(problems.stream().anyMatch(p -> p.contains("train-0.parquet")), problems.toString());
  }
}
