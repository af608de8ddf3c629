package dytrain.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Ring all-reduce over TCP (Patarasuk and Yuan 2009; Baidu/Horovod): W ranks in a ring, each array cut
 * into W chunks; W-1 reduce-scatter steps leave each rank owning one fully summed chunk, which it averages;
 * W-1 all-gather steps copy the owners' chunks to everyone. Each rank sends 2(W-1)/W of the array, the
 * bandwidth optimum. Every rank ends with the same bytes, so replicas that apply the same update stay
 * bitwise identical. Sends run on their own thread so a ring of blocking sockets cannot deadlock, and
 * every wait is bounded by the timeout.
 */
public final class RingAllReduce implements AutoCloseable {

  private final int rank;
  private final int world;
  private final Duration timeout;
  private final Socket toNext;
  private final Socket fromPrev;
  private final DataOutputStream out;
  private final DataInputStream in;
  private final ExecutorService sender;
  /** Floats per segment on the wire: 1 MB, large enough for full-speed writes, small enough to pipeline. */
  private static final int SEGMENT = 1 << 18;
  private final byte[] sendBuffer = new byte[4 * SEGMENT];
  private final byte[] receiveBuffer = new byte[4 * SEGMENT];
  private final float[] segment = new float[SEGMENT];
  private long bytesSent;

  private RingAllReduce(int rank, int world, Duration timeout, Socket toNext, Socket fromPrev) throws IOException {
    this.rank = rank;
    this.world = world;
    this.timeout = timeout;
    this.toNext = toNext;
    this.fromPrev = fromPrev;
    if (fromPrev != null) {
      fromPrev.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())); // every read is bounded
    }
    this.out = toNext == null ? null : new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 20));
    this.in = fromPrev == null ? null : new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 20));
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ring-send-rank-" + rank);
      t.setDaemon(true);
      return t;
    });
  }

  /** A listening socket for this rank; its address is what the ranks exchange at rendezvous. */
  public static ServerSocket listen(String host) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(host, 0));
    return server;
  }

  /**
   * Joins the ring: connects to rank+1 and accepts rank-1, both authenticated with {@code secret}.
   * Connections that fail the handshake are refused, reported to {@code log}, and waited past.
   */
  public static RingAllReduce join(int rank, List<InetSocketAddress> peers, ServerSocket listener, byte[] secret,
      Duration timeout, Consumer<String> log) {
    int world = peers.size();
    if (world == 1) {
      try {
        return new RingAllReduce(0, 1, timeout, null, null);
      } catch (IOException e) {
        throw new CollectiveException("cannot start", e);
      }
    }
    int prev = (rank - 1 + world) % world;
    int next = (rank + 1) % world;
    long deadline = System.nanoTime() + timeout.toNanos();
    ExecutorService acceptor = Executors.newSingleThreadExecutor();
    try {
      Future<Socket> accepted = acceptor.submit(() -> acceptFrom(listener, prev, rank, secret, deadline, log));
      Socket toNext = connectTo(peers.get(next), next, rank, secret, deadline);
      Socket fromPrev = accepted.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return new RingAllReduce(rank, world, timeout, toNext, fromPrev);
    } catch (TimeoutException e) {
      throw new CollectiveException("rank " + rank + ": rank " + prev + " did not connect within " + timeout.toSeconds() + " s");
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new CollectiveException("rank " + rank + ": could not join the ring: " + cause.getMessage(), cause);
    } finally {
      acceptor.shutdownNow();
    }
  }

  private static Socket acceptFrom(ServerSocket listener, int expected, int rank, byte[] secret, long deadline,
      Consumer<String> log) throws IOException {
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no authenticated connection from rank " + expected);
      }
      listener.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      Socket s = listener.accept();
      try {
        s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        var in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        var out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
        int peer = PeerHandshake.accept(in, out, secret, rank);
        if (peer != expected) {
          throw new IOException("it claims rank " + peer + ", expected rank " + expected);
        }
        s.setTcpNoDelay(true);
        return s;
      } catch (IOException e) {
        log.accept("rank " + rank + ": refused a connection from " + s.getRemoteSocketAddress() + ": " + e.getMessage());
        s.close();
      }
    }
  }

  private static Socket connectTo(InetSocketAddress address, int peer, int rank, byte[] secret, long deadline)
      throws IOException, InterruptedException {
    IOException last = null;
    while (System.nanoTime() < deadline) {
      Socket s = new Socket();
      try {
        int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        s.connect(address, left);
        s.setSoTimeout(left);
        s.setTcpNoDelay(true);
        var in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        var out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
        PeerHandshake.connect(in, out, secret, rank, peer);
        return s;
      } catch (IOException e) {
        last = e;
        s.close();
        Thread.sleep(100);
      }
    }
    throw new IOException("could not reach rank " + peer + " at " + address + (last == null ? "" : ": " + last.getMessage()));
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return world;
  }

  /** Replaces {@code data} by its element-wise mean over the ranks, in buckets of {@code bucketFloats}. */
  public void allReduceMean(float[] data, int bucketFloats) {
    if (world == 1) {
      return;
    }
    for (int start = 0; start < data.length; start += bucketFloats) {
      ringAllReduce(data, start, Math.min(data.length, start + bucketFloats));
    }
  }

  private void ringAllReduce(float[] data, int from, int to) {
    int n = to - from;
    int[] bounds = new int[world + 1];
    for (int c = 0; c <= world; c++) {
      bounds[c] = from + (int) ((long) n * c / world);
    }
    for (int s = 0; s < world - 1; s++) { // reduce-scatter
      int send = Math.floorMod(rank - s, world);
      int recv = Math.floorMod(rank - s - 1, world);
      exchange(data, bounds[send], bounds[send + 1], bounds[recv], bounds[recv + 1], true);
    }
    int owned = Math.floorMod(rank + 1, world);
    for (int i = bounds[owned]; i < bounds[owned + 1]; i++) {
      data[i] /= world;
    }
    for (int s = 0; s < world - 1; s++) { // all-gather
      int send = Math.floorMod(rank + 1 - s, world);
      int recv = Math.floorMod(rank - s, world);
      exchange(data, bounds[send], bounds[send + 1], bounds[recv], bounds[recv + 1], false);
    }
  }

  /** Each rank's {@code value}, indexed by rank: the same array on every rank. */
  public long[] allGather(long value) {
    long[] all = new long[world];
    all[rank] = value;
    if (world == 1) {
      return all;
    }
    float[] unused = new float[0];
    for (int s = 0; s < world - 1; s++) {
      int send = Math.floorMod(rank - s, world);
      int recv = Math.floorMod(rank - s - 1, world);
      long outgoing = all[send];
      Future<?> f = sender.submit(() -> {
        out.writeLong(outgoing);
        out.flush();
        return null;
      });
      all[recv] = readLong();
      await(f);
    }
    return all;
  }

  /**
   * Sends data[sendFrom, sendTo) to the next rank while receiving data[recvFrom, recvTo) from the previous
   * one, added in (reduce) or copied (gather). Both sides go segment by segment through reused buffers, so
   * converting, sending, receiving and adding overlap instead of waiting for whole chunks.
   */
  private void exchange(float[] data, int sendFrom, int sendTo, int recvFrom, int recvTo, boolean reduce) {
    Future<?> f = sender.submit(() -> {
      ByteBuffer bytes = ByteBuffer.wrap(sendBuffer).order(ByteOrder.LITTLE_ENDIAN);
      for (int at = sendFrom; at < sendTo; at += SEGMENT) {
        int n = Math.min(SEGMENT, sendTo - at);
        bytes.clear();
        bytes.asFloatBuffer().put(data, at, n);
        out.write(sendBuffer, 0, 4 * n);
      }
      out.flush();
      return null;
    });
    ByteBuffer bytes = ByteBuffer.wrap(receiveBuffer).order(ByteOrder.LITTLE_ENDIAN);
    try {
      for (int at = recvFrom; at < recvTo; at += SEGMENT) {
        int n = Math.min(SEGMENT, recvTo - at);
        in.readFully(receiveBuffer, 0, 4 * n);
        bytes.clear();
        if (reduce) {
          bytes.asFloatBuffer().get(segment, 0, n);
          for (int i = 0; i < n; i++) {
            data[at + i] += segment[i];
          }
        } else {
          bytes.asFloatBuffer().get(data, at, n);
        }
      }
    } catch (IOException e) {
      throw failure("receiving from rank " + Math.floorMod(rank - 1, world), e);
    }
    await(f);
    bytesSent += 4L * (sendTo - sendFrom);
  }

  private long readLong() {
    try {
      return in.readLong();
    } catch (IOException e) {
      throw failure("receiving from rank " + Math.floorMod(rank - 1, world), e);
    }
  }

  private void await(Future<?> send) {
    try {
      send.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      send.cancel(true);
      throw new CollectiveException("rank " + rank + ": sending to rank " + (rank + 1) % world
          + " did not finish within " + timeout.toSeconds() + " s (is it stuck?)");
    } catch (Exception e) {
      throw failure("sending to rank " + (rank + 1) % world, e.getCause() != null ? e.getCause() : e);
    }
  }

  private CollectiveException failure(String what, Throwable e) {
    String why = e instanceof SocketTimeoutException ? "nothing arrived within " + timeout.toSeconds() + " s" : e.toString();
    return new CollectiveException("rank " + rank + ": " + what + " failed: " + why + " (a peer died or stalled)", e);
  }

  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public void close() {
    sender.shutdownNow();
    for (Socket s : new Socket[] {toNext, fromPrev}) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a dead peer's socket can fail; nothing is left to release
        }
      }
    }
  }
}
