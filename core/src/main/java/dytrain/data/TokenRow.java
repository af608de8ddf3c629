package dytrain.data;

/** One row of a token shard: a document, or one piece of a document too long for one row. */
public record TokenRow(long docId, int[] tokens) {}
