package dytrain.prep;

/**
 * Some text of document number {@code doc} within its input. A long document arrives as several pieces
 * (in order, the last marked), so no task ever holds a whole huge document.
 */
record DocPiece(long doc, String text, boolean last) {}
