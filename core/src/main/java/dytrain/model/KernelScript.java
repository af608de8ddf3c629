package dytrain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The TorchScript module behind {@link Kernels}. Its source, {@code kernels.torchscript}, is text that
 * libtorch compiles when it loads the archive; Java zips it with the three small files a TorchScript
 * archive also needs, so neither the build nor a run needs Python. DJL has no scaled_dot_product_attention
 * and no bf16 (DESIGN.md, stack facts); TorchScript has both and keeps autograd across its casts.
 */
final class KernelScript implements AutoCloseable {

  private static final String NAME = "kernels";
  /** pickle protocol 2 of a {@code __torch__.Kernels} object whose only attribute is training = True. */
  private static final byte[] DATA_PKL = bytes("\u0080\u0002c__torch__\nKernels\nq\u0000)\u0081}(X\u0008\u0000\u0000\u0000trainingq\u0001\u0088ubq\u0002.");
  private static final byte[] CONSTANTS_PKL = bytes("\u0080\u0002).");

  private final PtSymbolBlock module;
  private final NDManager markers;
  private final Map<String, NDArray> methodMarkers = new HashMap<>();

  private KernelScript(PtSymbolBlock module, NDManager markers) {
    this.module = module;
    this.markers = markers;
  }

  static KernelScript load(NDManager manager) {
    try (InputStream archive = new ByteArrayInputStream(archive(source()))) {
      PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, archive, true, false);
      return new KernelScript(module, manager.newSubManager());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the TorchScript kernels", e);
    }
  }

  /**
   * Runs {@code method} with autograd as the calling thread has it (recording or not): DJL's
   * {@code forward(..., true)} is the one entry that does not force no-grad.
   */
  NDArray call(String method, NDArray... inputs) {
    NDList list = new NDList(inputs.length + 1);
    for (NDArray input : inputs) {
      // DJL reads a dotted array name ("model.norm.weight") as a dict key and would pass a dict: give the
      // method an unnamed view of it instead (a view, so the gradient still reaches the parameter)
      list.add(input.getName() == null ? input : input.reshape(input.getShape()));
    }
    list.add(methodMarkers.computeIfAbsent(method, this::marker));
    // The profiling executor runs a method's first calls as written and later ones as an optimized graph
    // whose backward rounds differently: a resumed run (fresh module) would then drift from an
    // uninterrupted one in the last bits. Unoptimized, every call runs the same ops (and autograd is
    // eager's). The switch is per thread in libtorch, so it is set on the calling thread.
    JniUtils.setGraphExecutorOptimize(false);
    // the result joins the first input's manager, the step's scope: callers put an activation first
    return IValueUtils.forward(module, list, true).singletonOrThrow();
  }

  /**
   * Runs {@code method} on TorchScript values (lists of tensors, numbers) without recording a graph: the
   * entry for in-place updates such as the optimizer's. The caller closes the result.
   */
  IValue run(String method, IValue... args) {
    JniUtils.setGraphExecutorOptimize(false);
    return IValueUtils.runMethod(module, method, args);
  }

  private NDArray marker(String method) {
    NDArray m = markers.zeros(new Shape(1));
    m.setName("module_method:" + method);
    return m;
  }

  private static String source() {
    try (InputStream in = KernelScript.class.getResourceAsStream("kernels.torchscript")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("resource dytrain/model/kernels.torchscript is missing from the jar", e);
    }
  }

  /** The archive torch.jit.save would write for a module with this source and no tensors. */
  private static byte[] archive(String source) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      put(zip, NAME + "/data.pkl", DATA_PKL);
      put(zip, NAME + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      put(zip, NAME + "/constants.pkl", CONSTANTS_PKL);
      put(zip, NAME + "/version", bytes("3\n"));
    }
    return bytes.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  private static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    markers.close();
    module.close();
  }
}
