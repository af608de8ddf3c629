package dytrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dytrain.config.DytrainException;
import org.junit.jupiter.api.Test;

class TokenIdsFileTest {

  @Test
  void parsesSpacesCommasAndNewlines() {
    assertArrayEquals(new int[] {1, 2, 3, 4}, TokenIdsFile.parse(" 1, 2\n3 ,4\n", "f", 10));
  }

  @Test
  void badTokensAreNamedByPosition() {
    var e = assertThrows(DytrainException.class, () -> TokenIdsFile.parse("1 2 x", "ids.txt", 10));
    assertTrue(e.getMessage().contains("ids.txt: token 3 'x'"), e.getMessage());
    e = assertThrows(DytrainException.class, () -> TokenIdsFile.parse("1 10", "ids.txt", 10));
    assertTrue(e.getMessage().contains("token 2 = 10 is outside"), e.getMessage());
    e = assertThrows(DytrainException.class, () -> TokenIdsFile.parse("  ", "ids.txt", 10));
    assertTrue(e.getMessage().contains("no token ids"), e.getMessage());
  }
}
