package dytrain.bench;

import dytrain.collective.RingAllReduce;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ring all-reduce against the wire it runs on, in one run: W ranks (threads of this JVM) on loopback
 * TCP all-reduce an array of {@code mb} MB; algorithm bandwidth = bytes / time, bus bandwidth = algorithm
 * bandwidth x 2(W-1)/W (what each link carries, NCCL's convention), compared with one socket's
 * point-to-point bandwidth measured the same way.
 */
public final class AllReduceBenchmark {
  private AllReduceBenchmark() {}

  /**
   * {@code rounds} rounds, each measuring one socket, two sockets at once, and the all-reduce, back to
   * back: on a shared 2-core machine the figures drift by a third from second to second, so ratios are
   * taken within a round and the median round is reported.
   */
  public static void run(int ranks, int mb, int runs, int rounds, PrintStream out) throws Exception {
    out.printf("all-reduce of %d MB fp32 over %d ranks (threads, loopback TCP); %d rounds of %d runs each%n",
        mb, ranks, rounds, runs);
    out.println("  round  all-reduce ms  bus GB/s  one socket GB/s  two at once GB/s/socket  bus/one  bus/two");
    double[] toOne = new double[rounds];
    double[] toTwo = new double[rounds];
    double[] bus = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      double one = pointToPoint(mb, runs, 1);
      double two = pointToPoint(mb, runs, 2);
      double seconds = allReduceSeconds(ranks, mb, runs);
      // bus bandwidth: what each link carries, 2(W-1)/W of the array per all-reduce (NCCL's convention)
      bus[r] = 4.0 * (mb * (1 << 20) / 4) / seconds * 2 * (ranks - 1) / ranks;
      toOne[r] = bus[r] / one;
      toTwo[r] = bus[r] / two;
      out.printf("  %5d  %13.1f  %8.2f  %15.2f  %23.2f  %7.2f  %7.2f%n", r + 1, seconds * 1e3, bus[r] / 1e9, one / 1e9,
          two / 1e9, toOne[r], toTwo[r]);
    }
    out.printf("  median: bus bandwidth %.2f GB/s = %.2f x one loopback socket, %.2f x two sockets at once "
        + "(the wire a 2-rank ring has: each rank sends while it receives); the limit is 1.0%n",
        median(bus) / 1e9, median(toOne), median(toTwo));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Seconds per all-reduce of {@code mb} MB, the slowest rank's average over {@code runs}. */
  private static double allReduceSeconds(int ranks, int mb, int runs) throws Exception {
    int floats = mb * (1 << 20) / 4;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      ServerSocket s = RingAllReduce.listen("127.0.0.1");
      listeners.add(s);
      peers.add(new InetSocketAddress("127.0.0.1", s.getLocalPort()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(ranks);
    try {
      List<Future<Double>> seconds = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        seconds.add(pool.submit(() -> {
          try (RingAllReduce ring = RingAllReduce.join(rank, peers, listeners.get(rank), secret, Duration.ofSeconds(60), s -> {})) {
            // a direct buffer, as training hands over libtorch's gradient memory
            ByteBuffer data = ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder());
            ring.allReduceMean(data, floats); // warm-up
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
              ring.allReduceMean(data, floats);
            }
            return (System.nanoTime() - start) / 1e9 / runs;
          }
        }));
      }
      double worst = 0;
      for (Future<Double> f : seconds) {
        worst = Math.max(worst, f.get());
      }
      return worst;
    } finally {
      pool.shutdown();
      for (ServerSocket s : listeners) {
        s.close();
      }
    }
  }

  /**
   * Bytes/s per socket of {@code streams} loopback sockets carrying {@code mb} MB each at the same time (one
   * socket is the plain figure; two is what a 2-rank ring asks of the machine: both ranks send and receive).
   * Measured the fastest way Java moves bytes: blocking channels on direct buffers, no copies in user space.
   */
  static double pointToPoint(int mb, int runs, int streams) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2 * streams);
    List<ServerSocketChannel> servers = new ArrayList<>();
    List<SocketChannel> clients = new ArrayList<>();
    try {
      List<Future<?>> sinks = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        servers.add(server);
        sinks.add(pool.submit(() -> {
          try (SocketChannel in = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(mb << 20);
            for (int i = 0; i <= runs; i++) { // the warm-up, then the runs
              buffer.clear();
              while (buffer.hasRemaining()) {
                if (in.read(buffer) < 0) {
                  throw new EOFException();
                }
              }
            }
          }
          return null;
        }));
        clients.add(SocketChannel.open(server.getLocalAddress()));
      }
      ByteBuffer payload = ByteBuffer.allocateDirect(mb << 20);
      for (SocketChannel c : clients) {
        send(c, payload.duplicate()); // warm-up
      }
      long start = System.nanoTime();
      List<Future<?>> senders = new ArrayList<>();
      for (SocketChannel c : clients) {
        senders.add(pool.submit(() -> {
          for (int i = 0; i < runs; i++) {
            send(c, payload.duplicate());
          }
          return null;
        }));
      }
      for (Future<?> f : senders) {
        f.get();
      }
      for (Future<?> f : sinks) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return (double) payload.capacity() * runs / seconds;
    } finally {
      pool.shutdownNow();
      for (SocketChannel c : clients) {
        c.close();
      }
      for (ServerSocketChannel s : servers) {
        s.close();
      }
    }
  }

  private static void send(SocketChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }
}
