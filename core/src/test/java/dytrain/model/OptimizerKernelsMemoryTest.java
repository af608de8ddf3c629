package dytrain.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * The optimizer's kernels hold no native memory from one step to the next. Each scalar they pass to
 * TorchScript is a native {@code c10::IValue} that only close() frees; left open, the six of a step leaked
 * about 190 bytes (jemalloc's profiler), the largest part of the 0.5 KB a step the soak saw outside the Java
 * heap (RELIABILITY.md). Measured here much as the soak does: anonymous resident pages outside the heap's
 * address range, across many steps.
 */
class OptimizerKernelsMemoryTest {
  private static final int WARM_UP_STEPS = 20_000;
  private static final int STEPS = 200_000;
  /**
   * With the six IValues of a step left open this measure grew 55 MB over STEPS; closed, it moved 0.4-2.5 MB
   * (the JIT, glibc's arenas, G1's tables for a grown heap), and no more over twice the steps.
   */
  private static final long ALLOWED_GROWTH_KB = 16 * 1024;

  @Test
  void manyOptimizerStepsLeaveTheMemoryOutsideTheJavaHeapFlat() throws Exception {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      List<NDArray> params = List.of(manager.create(new float[] {0.5f, -1f, 2f, 0.25f}));
      List<NDArray> grads = List.of(manager.create(new float[] {0.1f, 0.2f, -0.3f, 0.4f}));
      List<NDArray> m = List.of(manager.zeros(params.get(0).getShape()));
      List<NDArray> v = List.of(manager.zeros(params.get(0).getShape()));
      // the first steps load the kernels, compile the Java side and size glibc's arenas
      steps(1, WARM_UP_STEPS, params, grads, m, v);
      long before = residentOutsideHeapKb();
      steps(WARM_UP_STEPS + 1, STEPS, params, grads, m, v);
      long growth = residentOutsideHeapKb() - before;
      assertTrue(growth < ALLOWED_GROWTH_KB,
          "memory outside the Java heap grew " + growth + " KB over " + STEPS + " optimizer steps");
    }
  }

  private static void steps(int first, int count, List<NDArray> params, List<NDArray> grads, List<NDArray> m,
      List<NDArray> v) {
    for (int step = first; step < first + count; step++) {
      OptimizerKernels.adamw(params, grads, m, v, step, 1e-3, 0.9, 0.95, 0.1, 1e-8);
      OptimizerKernels.globalNorm(grads);
      OptimizerKernels.scale(grads, 1.0);
    }
  }

  /**
   * Sum of the anonymous resident memory (malloc's, not the pages of mapped libraries, which fill in as code
   * first runs) of this process's mappings outside the Java heap's reserved address range.
   */
  private static long residentOutsideHeapKb() throws Exception {
    long[] heap = heapRange();
    long kb = 0;
    boolean inHeap = false;
    Pattern mapping = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) ");
    for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
      Matcher range = mapping.matcher(line);
      if (range.find()) {
        long start = Long.parseUnsignedLong(range.group(1), 16);
        inHeap = start >= heap[0] && start < heap[1];
      } else if (line.startsWith("Anonymous:") && !inHeap) {
        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kb;
  }

  /**
   * The heap's [start, end) from {@code jcmd PID GC.heap_info}, asked of this JVM's own MBean: the lowest and
   * highest of the addresses it prints in brackets (G1 prints one range; Serial and Parallel one per
   * generation, with the top in between).
   */
  private static long[] heapRange() throws Exception {
    String info = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo", new Object[] {null},
        new String[] {String[].class.getName()});
    Matcher range = Pattern.compile("\\[(0x[0-9a-f]+(?:, ?0x[0-9a-f]+)+)\\)").matcher(info);
    long start = -1;
    long end = 0;
    while (range.find()) {
      for (String address : range.group(1).split(", ?")) {
        long a = Long.parseUnsignedLong(address.substring(2), 16);
        start = start < 0 ? a : Math.min(start, a);
        end = Math.max(end, a);
      }
    }
    if (start < 0) {
      throw new IOException("no address range in GC.heap_info: " + info);
    }
    return new long[] {start, end};
  }
}
