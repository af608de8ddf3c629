package dytrain.sweep;

import dytrain.config.DytrainException;
import java.util.ArrayList;
import java.util.List;

/** The CSV cell rules of the sweep's tables: RFC 4180 quoting, one row per line (no line breaks in cells). */
final class CsvCells {
  private CsvCells() {}

  static String quote(String cell) {
    return cell.contains(",") || cell.contains("\"") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
  }

  static List<String> split(String line, String where) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted && ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        cell.append('"');
        i++;
      } else if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    if (quoted) throw new DytrainException(where + ": a quoted cell is not closed");
    cells.add(cell.toString());
    return cells;
  }
}
