package dytrain.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a YAML config, applies {@code --set a.b=value} overrides to the tree, then binds it to records.
 * Binding is strict: unknown keys and values of the wrong type are errors naming the key.
 */
public final class ConfigLoader {

  /** The mapper every YAML config and --set value goes through: snake_case keys, no silent coercion. */
  public static final ObjectMapper YAML = strictMapper(new ObjectMapper(new YAMLFactory()));

  private ConfigLoader() {}

  public static DytrainConfig load(Path file, List<String> overrides) {
    return load(file, overrides, DytrainConfig.class);
  }

  public static <T> T load(Path file, List<String> overrides, Class<T> type) {
    ObjectNode root = readTree(file);
    for (String override : overrides) {
      applyOverride(root, override);
    }
    return bind(root, type, file.toString());
  }

  /** A config file's tree, before overrides and binding; an empty file is an empty mapping. */
  public static ObjectNode readTree(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DytrainException("config file " + file + (Files.isDirectory(file) ? " is a folder; give a .yaml file in it" : " does not exist"));
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      String what = e.getOriginalMessage().startsWith("Duplicate field")
          ? e.getOriginalMessage().replaceFirst("Duplicate field '([^']*)'.*", "key '$1' is given twice")
          : e.getOriginalMessage();
      throw new DytrainException("config file " + file + " is not valid YAML: " + what
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
    } catch (IOException e) {
      throw new DytrainException("config file " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      tree = JsonNodeFactory.instance.objectNode();
    }
    if (!tree.isObject()) {
      throw new DytrainException("config file " + file + " must hold a mapping of keys");
    }
    return (ObjectNode) tree;
  }

  /** Binds a tree (a parsed file with overrides) to a config record, translating Jackson's errors. */
  public static <T> T bind(JsonNode tree, Class<T> type, String source) {
    try {
      return YAML.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      String allowed =
          e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
      throw new DytrainException(
          source + ": unknown config key '" + keyPath(e) + "'; allowed here: " + allowed, e);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof DytrainException cause) {
        throw new DytrainException(source + ": " + cause.getMessage(), cause);
      }
      throw new DytrainException(source + ": " + e.getOriginalMessage(), e);
    } catch (InvalidFormatException e) {
      throw new DytrainException(
          source + ": " + keyPath(e) + " = '" + e.getValue() + "' is not a valid "
              + typeName(e.getTargetType()), e);
    } catch (MismatchedInputException e) {
      throw new DytrainException(
          source + ": " + keyPath(e) + " must be " + withArticle(typeName(e.getTargetType())), e);
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof DytrainException cause) {
        throw new DytrainException(source + ": " + cause.getMessage(), cause);
      }
      throw new DytrainException(source + ": " + keyPath(e) + ": " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new DytrainException(source + ": " + e.getOriginalMessage(), e);
    }
  }

  /** Applies one {@code key.path=value}; the value is read as a YAML scalar, so 7 is a number. */
  static void applyOverride(ObjectNode root, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new DytrainException("--set " + override + ": expected key.path=value");
    }
    String text = override.substring(eq + 1);
    JsonNode value;
    try {
      value = text.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(text);
    } catch (IOException e) {
      throw new DytrainException("--set " + override + ": the value is not valid YAML", e);
    }
    set(root, override.substring(0, eq).trim(), value, "--set " + override);
  }

  /**
   * Sets one key path (a.b.c) in a config tree, making sections as needed; what a {@code --set} does, for
   * callers that hold the value as a tree already (a sweep's grid). {@code origin} names the setting in errors.
   */
  public static void set(ObjectNode root, String keyPath, JsonNode value, String origin) {
    String[] keys = keyPath.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode child = node.get(keys[i]);
      if (child == null || child.isNull()) {
        child = node.putObject(keys[i]);
      } else if (!child.isObject()) {
        throw new DytrainException(origin + ": '" + keys[i] + "' is a value, not a section");
      }
      node = (ObjectNode) child;
    }
    node.set(keys[keys.length - 1], value == null ? JsonNodeFactory.instance.nullNode() : value);
  }

  private static String keyPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String withArticle(String noun) {
    if (noun.startsWith("one of")) return noun;
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "integer";
    }
    if (type == Double.class || type == double.class || type == Float.class) {
      return "number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "boolean (true or false)";
    }
    if (type == String.class) {
      return "string";
    }
    if (type.isEnum()) {
      return "one of " + NormType.allowed();
    }
    return "mapping of keys (" + type.getSimpleName() + ")";
  }

  static ObjectMapper strictMapper(ObjectMapper mapper) {
    mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY); // else the last of two wins, silently
    for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      mapper.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }
}
