package dytrain.train;

import dytrain.model.Llama;
import java.util.OptionalDouble;

/** The trainer's view of validation: a loss, or none when the dataset has no validation split to read. */
public interface Validation {

  OptionalDouble loss(Llama model);

  Validation NONE = model -> OptionalDouble.empty();
}
