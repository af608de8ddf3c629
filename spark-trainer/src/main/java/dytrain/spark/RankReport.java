package dytrain.spark;

import java.io.Serializable;

/** What one rank reports to the driver when its barrier task ends. */
public record RankReport(int rank, long steps, long allReduces, long bytesSent) implements Serializable {

  @Override
  public String toString() {
    return String.format("rank %d: %d steps, %d all-reduces, %,d bytes sent", rank, steps, allReduces, bytesSent);
  }
}
