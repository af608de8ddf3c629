package dytrain.bench;

import dytrain.collective.RingAllReduce;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
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

  public static void run(int ranks, int mb, int runs, PrintStream out) throws Exception {
    int floats = mb * (1 << 20) / 4;
    double p2p = pointToPoint(mb, runs, 1);
    double p2pBoth = pointToPoint(mb, runs, 2);
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
    List<Future<Double>> seconds = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      int rank = r;
      seconds.add(pool.submit(() -> {
        try (RingAllReduce ring = RingAllReduce.join(rank, peers, listeners.get(rank), secret, Duration.ofSeconds(60), s -> {})) {
          float[] data = new float[floats];
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
    pool.shutdown();
    for (ServerSocket s : listeners) {
      s.close();
    }
    double bytes = 4.0 * floats;
    double algbw = bytes / worst;
    double busbw = algbw * 2 * (ranks - 1) / ranks;
    out.printf("all-reduce of %d MB fp32 over %d ranks (threads, loopback TCP), %d runs%n", mb, ranks, runs);
    out.printf("  time %.1f ms; algorithm bandwidth %.2f GB/s; bus bandwidth %.2f GB/s%n", worst * 1e3, algbw / 1e9, busbw / 1e9);
    out.printf("  point-to-point loopback TCP, one socket one way: %.2f GB/s%n", p2p / 1e9);
    out.printf("  point-to-point loopback TCP, two sockets at once (each rank sends while it receives, as in the ring): %.2f GB/s per socket%n", p2pBoth / 1e9);
    out.printf("  bus bandwidth / one-way point-to-point: %.2f; / concurrent point-to-point: %.2f (the limit is 1.0)%n",
        busbw / p2p, busbw / p2pBoth);
  }

  /**
   * Bytes/s per socket of {@code streams} loopback sockets carrying {@code mb} MB each at the same time (one
   * socket is the plain figure; two is what a 2-rank ring asks of the machine: both ranks send and receive).
   */
  static double pointToPoint(int mb, int runs, int streams) throws Exception {
    byte[] payload = new byte[mb << 20];
    ExecutorService pool = Executors.newFixedThreadPool(2 * streams);
    List<ServerSocket> servers = new ArrayList<>();
    try {
      List<Future<?>> sinks = new ArrayList<>();
      List<Socket> clients = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        servers.add(server);
        sinks.add(pool.submit(() -> {
          try (Socket sock = server.accept(); var in = new DataInputStream(sock.getInputStream())) {
            byte[] buffer = new byte[payload.length];
            for (int i = 0; i <= runs; i++) {
              in.readFully(buffer);
            }
          }
          return null;
        }));
        clients.add(new Socket("127.0.0.1", server.getLocalPort()));
      }
      List<DataOutputStream> outs = new ArrayList<>();
      for (Socket c : clients) {
        var o = new DataOutputStream(new java.io.BufferedOutputStream(c.getOutputStream(), 1 << 20));
        o.write(payload); // warm-up
        o.flush();
        outs.add(o);
      }
      long start = System.nanoTime();
      List<Future<?>> senders = new ArrayList<>();
      for (DataOutputStream o : outs) {
        senders.add(pool.submit(() -> {
          for (int i = 0; i < runs; i++) {
            o.write(payload);
          }
          o.flush();
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
      for (Socket c : clients) {
        c.close();
      }
      return (double) payload.length * runs / seconds;
    } finally {
      pool.shutdownNow();
      for (ServerSocket s : servers) {
        s.close();
      }
    }
  }
}
