package dytrain.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every trainable tensor of a model, by its export name (Hugging Face LLaMA names), living in one
 * long-lived NDManager. Modules ask for their tensors by name: a loaded tensor is checked against the
 * expected shape, a missing one is created with the module's initialisation.
 */
public final class Parameters implements AutoCloseable {

  private final NDManager manager;
  private final DataType dtype;
  private final long seed;
  private final Map<String, NDArray> tensors = new LinkedHashMap<>();
  private final Set<String> requested = new LinkedHashSet<>();

  private Parameters(NDManager manager, DataType dtype, long seed) {
    this.manager = manager;
    this.dtype = dtype;
    this.seed = seed;
  }

  /** An empty store whose missing tensors are initialised from {@code seed}. */
  public static Parameters create(Device device, DataType dtype, long seed) {
    return new Parameters(NDManager.newBaseManager(device), dtype, seed);
  }

  /** A store holding loaded tensors (float arrays in row-major order) that modules will claim. */
  public static Parameters of(Device device, DataType dtype, Map<String, float[]> values, Map<String, long[]> shapes) {
    Parameters p = create(device, dtype, 0);
    values.forEach((name, data) -> p.put(name, Tensors.of(p.manager, data, new Shape(shapes.get(name))).toType(dtype, false)));
    return p;
  }

  public NDManager manager() {
    return manager;
  }

  public DataType dtype() {
    return dtype;
  }

  /** A tensor drawn from normal(0, std), seeded by the store's seed and the tensor's name. */
  public NDArray normal(String name, double std, long... shape) {
    return claim(name, shape, () -> {
      Random random = new Random(seed * 1_000_003L + name.hashCode());
      float[] data = new float[Math.toIntExact(new Shape(shape).size())];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) (random.nextGaussian() * std);
      }
      return Tensors.of(manager, data, new Shape(shape));
    });
  }

  /** A tensor filled with one value (norm weights 1, biases 0, alpha0, embed_scale). */
  public NDArray constant(String name, double value, long... shape) {
    return claim(name, shape, () -> manager.full(new Shape(shape), (float) value));
  }

  private NDArray claim(String name, long[] shape, Supplier<NDArray> init) {
    if (!requested.add(name)) {
      throw new IllegalStateException("parameter " + name + " requested twice");
    }
    NDArray existing = tensors.get(name);
    if (existing != null) {
      if (!existing.getShape().equals(new Shape(shape))) {
        throw new IllegalArgumentException(
            "parameter " + name + " has shape " + existing.getShape() + ", the model expects " + new Shape(shape));
      }
      return existing;
    }
    NDArray created = init.get().toType(dtype, false);
    put(name, created);
    return created;
  }

  private void put(String name, NDArray array) {
    array.setName(name);
    array.setRequiresGradient(true);
    tensors.put(name, array);
  }

  /** Fails when loaded tensors were not claimed by any module (a file for another model shape). */
  void checkAllClaimed() {
    Set<String> unclaimed = new LinkedHashSet<>(tensors.keySet());
    unclaimed.removeAll(requested);
    if (!unclaimed.isEmpty()) {
      throw new IllegalArgumentException("tensors not used by this model: " + unclaimed);
    }
  }

  /** All tensors by name, in the order the model created them. */
  public Map<String, NDArray> all() {
    return Collections.unmodifiableMap(tensors);
  }

  public NDArray get(String name) {
    NDArray a = tensors.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return a;
  }

  public long count() {
    return tensors.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  @Override
  public void close() {
    manager.close();
  }
}
