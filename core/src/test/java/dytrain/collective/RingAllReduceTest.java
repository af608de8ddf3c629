package dytrain.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The ring over real loopback sockets, one thread per rank. */
class RingAllReduceTest {

  static final byte[] SECRET = PeerHandshake.newSecret();

  /** Runs {@code body} on W connected ranks and returns each rank's result. */
  static <T> List<T> onRing(int world, Duration timeout, List<String> log, Function<RingAllReduce, T> body) throws Exception {
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      ServerSocket s = RingAllReduce.listen("127.0.0.1");
      listeners.add(s);
      peers.add(new InetSocketAddress("127.0.0.1", s.getLocalPort()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          try (RingAllReduce ring = RingAllReduce.join(rank, peers, listeners.get(rank), SECRET, timeout, log::add)) {
            return body.apply(ring);
          }
        }));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
      for (ServerSocket s : listeners) {
        s.close();
      }
    }
  }

  static float[] data(int rank, int n) {
    Random r = new Random(rank);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void everyRankEndsWithTheSameMeanForAnyBucketSize() throws Exception {
    long start = System.nanoTime();
    for (int world : new int[] {2, 3}) {
      int n = 1001;
      float[] expected = new float[n];
      for (int r = 0; r < world; r++) {
        float[] d = data(r, n);
        for (int i = 0; i < n; i++) {
          expected[i] += d[i] / world;
        }
      }
      for (int bucket : new int[] {7, 100, 5000}) {
        List<float[]> results = onRing(world, Duration.ofSeconds(20), new CopyOnWriteArrayList<>(), ring -> {
          float[] d = data(ring.rank(), n);
          ring.allReduceMean(d, bucket);
          return d;
        });
        for (float[] result : results) {
          assertArrayEquals(expected, result, 1e-5f, "W=" + world + " bucket " + bucket);
          assertArrayEquals(results.get(0), result, 0f, "ranks must hold bitwise the same bytes");
        }
      }
    }
    // 1,001 floats in buckets as small as 7 (and chunks of none, when a bucket is smaller than the ring):
    // milliseconds each; a rank that sleeps through a wait instead would take the 20 s timeout
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(seconds < 15, "took " + seconds + " s");
  }

  @Test
  void allGatherReturnsEveryRanksValueInRankOrder() throws Exception {
    List<long[]> results = onRing(3, Duration.ofSeconds(20), new CopyOnWriteArrayList<>(), ring -> ring.allGather(100 + ring.rank()));
    for (long[] r : results) {
      assertArrayEquals(new long[] {100, 101, 102}, r);
    }
  }

  @Test
  void aConnectionWithoutTheSecretIsRefusedAndTheRingStillForms() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    TwoListeners two = TwoListeners.open();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<float[]> rank0 = pool.submit(() -> {
        try (RingAllReduce ring = RingAllReduce.join(0, two.peers(), two.l0(), SECRET, Duration.ofSeconds(20), log::add)) {
          float[] d = {0, 10};
          ring.allReduceMean(d, 16);
          return d;
        }
      });
      // An intruder reaches rank 0 before rank 1 does and answers the challenge with a wrong secret.
      try (Socket intruder = new Socket("127.0.0.1", two.l0().getLocalPort())) {
        var in = new DataInputStream(intruder.getInputStream());
        var out = new DataOutputStream(intruder.getOutputStream());
        byte[] nonce = in.readNBytes(32);
        out.writeInt(1);
        out.write(PeerHandshake.mac(PeerHandshake.newSecret(), nonce, 1));
        out.write(PeerHandshake.nonce());
        out.flush();
        assertEquals(-1, in.read(), "rank 0 hangs up on the intruder");
      }
      Future<float[]> rank1 = pool.submit(() -> {
        try (RingAllReduce ring = RingAllReduce.join(1, two.peers(), two.l1(), SECRET, Duration.ofSeconds(20), log::add)) {
          float[] d = {1, 10};
          ring.allReduceMean(d, 16);
          return d;
        }
      });
      assertArrayEquals(new float[] {0.5f, 10f}, rank0.get());
      assertArrayEquals(new float[] {0.5f, 10f}, rank1.get());
    } finally {
      pool.shutdownNow();
      two.close();
    }
    assertTrue(log.stream().anyMatch(line -> line.contains("refused a connection") && line.contains("secret")), log.toString());
  }

  /**
   * A client that connects to a rank during the join and then says nothing (a port scanner, a hostile
   * client) cannot hold up the real peer queued behind it: the ring forms, long before the join's timeout.
   */
  @Test
  void aSilentConnectionDuringTheJoinDoesNotHoldUpThePeer() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    TwoListeners two = TwoListeners.open();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Duration timeout = Duration.ofSeconds(20);
    try (Socket intruder = new Socket("127.0.0.1", two.l0().getLocalPort())) {
      long start = System.nanoTime();
      Future<float[]> rank0 = pool.submit(() -> {
        try (RingAllReduce ring = RingAllReduce.join(0, two.peers(), two.l0(), SECRET, timeout, log::add)) {
          float[] d = {0, 10};
          ring.allReduceMean(d, 16);
          return d;
        }
      });
      assertEquals(32, intruder.getInputStream().readNBytes(32).length, "rank 0 took the intruder first and challenged it");
      Future<float[]> rank1 = pool.submit(() -> {
        try (RingAllReduce ring = RingAllReduce.join(1, two.peers(), two.l1(), SECRET, timeout, log::add)) {
          float[] d = {1, 10};
          ring.allReduceMean(d, 16);
          return d;
        }
      });
      assertArrayEquals(new float[] {0.5f, 10f}, rank0.get());
      assertArrayEquals(new float[] {0.5f, 10f}, rank1.get());
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(seconds < timeout.toSeconds() / 2.0, "the ring formed after " + seconds + " s");
    } finally {
      pool.shutdownNow();
      two.close();
    }
  }

  /**
   * Once the ring has formed, a connection to a rank's port (garbage, or nothing at all) is hung up on at
   * once and reported, and the ring goes on averaging: it is never left waiting in the kernel's backlog.
   */
  @Test
  void aConnectionAfterTheRingHasFormedIsRefusedAndLogged() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    TwoListeners two = TwoListeners.open();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<RingAllReduce> joined1 = pool.submit(() -> RingAllReduce.join(1, two.peers(), two.l1(), SECRET, Duration.ofSeconds(20), log::add));
      try (RingAllReduce ring0 = RingAllReduce.join(0, two.peers(), two.l0(), SECRET, Duration.ofSeconds(20), log::add);
          RingAllReduce ring1 = joined1.get()) {
        for (boolean sendsGarbage : new boolean[] {true, false}) {
          try (Socket intruder = new Socket("127.0.0.1", two.l0().getLocalPort())) {
            intruder.setSoTimeout(5000); // unrefused, the read below would wait for the run to end
            if (sendsGarbage) {
              intruder.getOutputStream().write(new byte[] {'G', 'E', 'T', ' ', '/', '\n'});
            }
            assertTrue(hungUpOn(intruder), "rank 0 hangs up at once, sending nothing");
          }
        }
        Future<float[]> mean1 = pool.submit(() -> {
          float[] d = {1, 10};
          ring1.allReduceMean(d, 16);
          return d;
        });
        float[] mean0 = {0, 10};
        ring0.allReduceMean(mean0, 16);
        assertArrayEquals(new float[] {0.5f, 10f}, mean0);
        assertArrayEquals(new float[] {0.5f, 10f}, mean1.get());
      }
    } finally {
      pool.shutdownNow();
      two.close();
    }
    assertEquals(2, log.stream().filter(line -> line.startsWith("rank 0: refused a connection")).count(), log.toString());
  }

  /** True when the other end closed without a byte: end of stream, or a reset (it hung up on unread bytes). */
  private static boolean hungUpOn(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  void aSilentPeerFailsTheCollectiveWithinTheTimeout() throws Exception {
    TwoListeners two = TwoListeners.open();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // Rank 1 joins, then stalls forever instead of taking part in the all-reduce.
      Future<?> stalled = pool.submit(() -> {
        RingAllReduce ring = RingAllReduce.join(1, two.peers(), two.l1(), SECRET, Duration.ofSeconds(2), line -> {});
        Thread.sleep(60_000);
        return ring;
      });
      long start = System.nanoTime();
      var e = assertThrows(CollectiveException.class, () -> {
        try (RingAllReduce ring = RingAllReduce.join(0, two.peers(), two.l0(), SECRET, Duration.ofSeconds(2), line -> {})) {
          ring.allReduceMean(new float[] {1, 2, 3, 4}, 16);
        }
      });
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(seconds < 10, "failed after " + seconds + " s");
      assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("within 2 s"), e.getMessage());
      stalled.cancel(true);
    } finally {
      pool.shutdownNow();
      two.close();
    }
  }

  @Test
  void aRankThatNeverArrivesFailsTheJoinWithinTheTimeout() throws Exception {
    TwoListeners two = TwoListeners.open();
    try {
      var e = assertThrows(CollectiveException.class,
          () -> RingAllReduce.join(0, two.peers(), two.l0(), SECRET, Duration.ofSeconds(1), line -> {}));
      assertTrue(e.getMessage().contains("rank 0"), e.getMessage());
    } finally {
      two.close();
    }
  }

  /** Two ranks' listening sockets on this machine and the peer list that names them. */
  private record TwoListeners(ServerSocket l0, ServerSocket l1, List<InetSocketAddress> peers) implements AutoCloseable {
    static TwoListeners open() throws IOException {
      ServerSocket l0 = RingAllReduce.listen("127.0.0.1");
      ServerSocket l1 = RingAllReduce.listen("127.0.0.1");
      return new TwoListeners(l0, l1, List.of(new InetSocketAddress("127.0.0.1", l0.getLocalPort()),
          new InetSocketAddress("127.0.0.1", l1.getLocalPort())));
    }

    @Override
    public void close() throws IOException {
      l0.close();
      l1.close();
    }
  }
}
