package dytrain.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * bitwise identical. Each rank's one thread sends and receives at once over non-blocking sockets (so a
 * ring cannot deadlock on full buffers), and every wait is bounded by the timeout.
 *
 * <p>Bytes move through non-blocking channels straight from and into the caller's native buffer (for
 * gradients, libtorch's own memory): a socket stream over a Java array copies every byte once more into a
 * temporary native buffer, and on a loopback wire such copies cost as much as the transfer. Only the
 * reduce-scatter's arrivals pass through a scratch segment, to be added.
 */
public final class RingAllReduce implements AutoCloseable {

  private final int rank;
  private final int world;
  private final Duration timeout;
  private final SocketChannel toNext;
  private final SocketChannel fromPrev;
  /** Where the rank waits, bounded by the timeout, when neither socket can move a byte. */
  private final Selector selector;
  private final SelectionKey sendKey;
  private final SelectionKey receiveKey;
  /** Floats per segment on the wire: 1 MB, large enough for full-speed writes, small enough to pipeline. */
  private static final int SEGMENT = 1 << 18;
  private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(4 * SEGMENT).order(ByteOrder.nativeOrder());
  private final FloatBuffer arrived = receiveBuffer.asFloatBuffer();
  private long bytesSent;
  /** The rank's listening socket, refusing connections while the ring lives; closed with the ring. */
  private ServerSocket listener;

  private RingAllReduce(int rank, int world, Duration timeout, Socket toNext, Socket fromPrev) throws IOException {
    this.rank = rank;
    this.world = world;
    this.timeout = timeout;
    this.toNext = toNext == null ? null : toNext.getChannel();
    this.fromPrev = fromPrev == null ? null : fromPrev.getChannel();
    if (world == 1) {
      selector = null;
      sendKey = null;
      receiveKey = null;
      return;
    }
    // after the handshake, which used the blocking streams
    this.toNext.configureBlocking(false);
    this.fromPrev.configureBlocking(false);
    selector = Selector.open();
    sendKey = this.toNext.register(selector, 0);
    receiveKey = this.fromPrev.register(selector, 0);
  }

  /** A listening socket for this rank; its address is what the ranks exchange at rendezvous. */
  public static ServerSocket listen(String host) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(host, 0));
    return server.socket(); // its accepted sockets have channels
  }

  /**
   * Joins the ring: connects to rank+1 and accepts rank-1, both authenticated with {@code secret}.
   * Connections that fail the handshake are refused, reported to {@code log}, and waited past. The ring
   * then keeps {@code listener}, refusing and reporting every later connection, and closes it with itself.
   */
  public static RingAllReduce join(int rank, List<InetSocketAddress> peers, ServerSocket listener, byte[] secret,
      Duration timeout, Consumer<String> log) {
    RingAllReduce ring = connect(rank, peers, listener, secret, timeout, log);
    ring.listener = listener;
    refuseLateConnections(listener, rank, log);
    return ring;
  }

  private static RingAllReduce connect(int rank, List<InetSocketAddress> peers, ServerSocket listener, byte[] secret,
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
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new CollectiveException("rank " + rank + ": could not join the ring: " + cause.getMessage(), cause);
    } finally {
      acceptor.shutdownNow();
    }
  }

  /** How often the accepting thread looks up from the listener to see whether a peer has proven itself. */
  private static final int ACCEPT_POLL_MS = 100;

  /**
   * Accepts connections until one proves it is rank {@code expected}. Each connection answers the challenge
   * on a thread of its own: one that connects and stays silent cannot hold up the peer queued behind it.
   */
  private static Socket acceptFrom(ServerSocket listener, int expected, int rank, byte[] secret, long deadline,
      Consumer<String> log) throws IOException, InterruptedException, ExecutionException {
    CompletableFuture<Socket> proven = new CompletableFuture<>();
    ExecutorService handshakes = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "ring-handshake-rank-" + rank);
      t.setDaemon(true);
      return t;
    });
    try {
      while (!proven.isDone()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException("no authenticated connection from rank " + expected);
        }
        listener.setSoTimeout((int) Math.max(1, Math.min(ACCEPT_POLL_MS, TimeUnit.NANOSECONDS.toMillis(left))));
        Socket s;
        try {
          s = listener.accept();
        } catch (SocketTimeoutException e) {
          continue;
        }
        handshakes.execute(() -> challenge(s, expected, rank, secret, deadline, log, proven));
      }
      return proven.get();
    } finally {
      handshakes.shutdownNow(); // interrupting a handshake closes its socket (an interruptible channel)
    }
  }

  /** Completes {@code proven} with {@code s} if its peer proves it is rank {@code expected}; else refuses it. */
  private static void challenge(Socket s, int expected, int rank, byte[] secret, long deadline, Consumer<String> log,
      CompletableFuture<Socket> proven) {
    try {
      s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      var in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
      var out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
      int peer = PeerHandshake.accept(in, out, secret, rank);
      if (peer != expected) {
        throw new IOException("it claims rank " + peer + ", expected rank " + expected);
      }
      s.setTcpNoDelay(true);
      if (!proven.complete(s)) {
        throw new IOException("rank " + expected + " has already joined");
      }
    } catch (IOException e) {
      String why = e instanceof ClosedByInterruptException ? "it had proven nothing when rank " + expected + " joined"
          : e instanceof SocketTimeoutException ? "it proved nothing before the join's timeout" : e.getMessage();
      log.accept("rank " + rank + ": refused a connection from " + s.getRemoteSocketAddress() + ": " + why);
      try {
        s.close();
      } catch (IOException ignored) {
        // refused either way
      }
    }
  }

  /**
   * No peer joins a formed ring (a relaunch listens on new ports with a new secret), so whoever connects
   * now is stray or hostile: hung up on at once and reported. Left unaccepted, such a connection would
   * sit in the kernel's backlog for the whole run, answered by no one and in no log.
   */
  private static void refuseLateConnections(ServerSocket listener, int rank, Consumer<String> log) {
    Thread guard = new Thread(() -> {
      try {
        listener.setSoTimeout(0); // the join's deadline no longer applies
        while (true) {
          try (Socket s = listener.accept()) {
            log.accept("rank " + rank + ": refused a connection from " + s.getRemoteSocketAddress()
                + ": the ring has formed and takes no new peer");
          }
        }
      } catch (IOException e) {
        // the listener was closed with the ring: nothing is left to guard
      }
    }, "ring-guard-rank-" + rank);
    guard.setDaemon(true);
    guard.start();
  }

  private static Socket connectTo(InetSocketAddress address, int peer, int rank, byte[] secret, long deadline)
      throws IOException, InterruptedException {
    IOException last = null;
    while (System.nanoTime() < deadline) {
      Socket s = SocketChannel.open().socket();
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

  /** How long any wait for a peer may last. */
  public Duration timeout() {
    return timeout;
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return world;
  }

  /** Replaces {@code data} by its element-wise mean over the ranks, in buckets of {@code bucketFloats}. */
  public void allReduceMean(float[] data, int bucketFloats) {
    ByteBuffer direct = ByteBuffer.allocateDirect(4 * data.length).order(ByteOrder.nativeOrder());
    direct.asFloatBuffer().put(data);
    allReduceMean(direct, bucketFloats);
    direct.asFloatBuffer().get(data);
  }

  /**
   * Replaces the floats in {@code data} (a direct buffer in native byte order, all ranks on machines of
   * the same byte order) by their element-wise mean over the ranks, in buckets of {@code bucketFloats}.
   */
  public void allReduceMean(ByteBuffer data, int bucketFloats) {
    if (!data.isDirect() || data.order() != ByteOrder.nativeOrder() || data.position() != 0) {
      throw new IllegalArgumentException("the all-reduce works on a whole direct buffer in native byte order");
    }
    if (world == 1) {
      return;
    }
    FloatBuffer floats = data.asFloatBuffer();
    for (int start = 0; start < floats.limit(); start += bucketFloats) {
      ringAllReduce(data, floats, start, Math.min(floats.limit(), start + bucketFloats));
    }
  }

  private void ringAllReduce(ByteBuffer data, FloatBuffer floats, int from, int to) {
    int n = to - from;
    int[] bounds = new int[world + 1];
    for (int c = 0; c <= world; c++) {
      bounds[c] = from + (int) ((long) n * c / world);
    }
    for (int s = 0; s < world - 1; s++) { // reduce-scatter
      int send = Math.floorMod(rank - s, world);
      int recv = Math.floorMod(rank - s - 1, world);
      // the last step completes this rank's chunk: it averages while the segment is still in cache
      Arrival arrival = s == world - 2 ? Arrival.ADD_AND_AVERAGE : Arrival.ADD;
      exchange(data, floats, bounds[send], bounds[send + 1], bounds[recv], bounds[recv + 1], arrival);
    }
    for (int s = 0; s < world - 1; s++) { // all-gather
      int send = Math.floorMod(rank + 1 - s, world);
      int recv = Math.floorMod(rank - s, world);
      exchange(data, floats, bounds[send], bounds[send + 1], bounds[recv], bounds[recv + 1], Arrival.COPY);
    }
  }

  /** What happens to a segment that arrives from the previous rank. */
  private enum Arrival { ADD, ADD_AND_AVERAGE, COPY }

  /** Each rank's {@code value}, indexed by rank: the same array on every rank. */
  public long[] allGather(long value) {
    return allGather(value, timeout);
  }

  /**
   * {@link #allGather(long)} waiting up to {@code wait} for the other ranks: a barrier around work that
   * may legitimately take longer than a collective's timeout (writing a checkpoint to an object store).
   */
  public long[] allGather(long value, Duration wait) {
    long[] all = new long[world];
    all[rank] = value;
    if (world == 1) {
      return all;
    }
    for (int s = 0; s < world - 1; s++) {
      int send = Math.floorMod(rank - s, world);
      int recv = Math.floorMod(rank - s - 1, world);
      ByteBuffer incoming = ByteBuffer.allocate(8);
      transfer(ByteBuffer.allocate(8).putLong(0, all[send]), incoming, () -> null, wait);
      all[recv] = incoming.getLong(0);
    }
    return all;
  }

  /**
   * Sends floats [sendFrom, sendTo) of {@code data} to the next rank, from the buffer itself, while
   * receiving floats [recvFrom, recvTo) from the previous one: copied into place (all-gather), or added
   * segment by segment (reduce-scatter), so adding overlaps with the transfer.
   */
  private void exchange(ByteBuffer data, FloatBuffer floats, int sendFrom, int sendTo, int recvFrom, int recvTo,
      Arrival arrival) {
    ByteBuffer outgoing = data.duplicate().limit(4 * sendTo).position(4 * sendFrom);
    if (arrival == Arrival.COPY) {
      transfer(outgoing, data.duplicate().limit(4 * recvTo).position(4 * recvFrom), () -> null, timeout);
    } else {
      float scale = 1f / world;
      int[] at = {recvFrom}; // start of the segment being received
      transfer(outgoing, nextSegment(recvFrom, recvTo), () -> {
        int n = Math.min(SEGMENT, recvTo - at[0]);
        if (arrival == Arrival.ADD) {
          for (int i = 0; i < n; i++) {
            floats.put(at[0] + i, floats.get(at[0] + i) + arrived.get(i));
          }
        } else {
          // a multiply costs half a divide here; it is exact when W is a power of two, and every rank
          // receives the owner's bytes, so replicas stay identical either way
          for (int i = 0; i < n; i++) {
            floats.put(at[0] + i, (floats.get(at[0] + i) + arrived.get(i)) * scale);
          }
        }
        at[0] += n;
        return at[0] < recvTo ? nextSegment(at[0], recvTo) : null;
      }, timeout);
    }
    bytesSent += 4L * (sendTo - sendFrom);
  }

  private ByteBuffer nextSegment(int from, int to) {
    return receiveBuffer.clear().limit(4 * Math.min(SEGMENT, to - from));
  }

  /** What to do with a filled receive buffer; returns the next buffer to fill, or null when all has arrived. */
  private interface Arrivals {
    ByteBuffer filled();
  }

  /**
   * Sends all of {@code outgoing} while filling {@code incoming} and its successors, on this thread:
   * whichever socket can move bytes does, and when neither can, the rank waits for either, at most
   * {@code wait} without progress. When this returns, neither buffer is touched again.
   */
  private void transfer(ByteBuffer outgoing, ByteBuffer incoming, Arrivals arrivals, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (outgoing.hasRemaining() || incoming != null) {
        boolean moved = outgoing.hasRemaining() && toNext.write(outgoing) > 0;
        if (incoming != null) {
          int n = fromPrev.read(incoming);
          if (n < 0) {
            throw new EOFException("the connection was closed");
          }
          moved |= n > 0;
          if (!incoming.hasRemaining()) { // full, or an empty chunk (a bucket smaller than the ring)
            incoming = arrivals.filled();
            moved = true;
          }
        }
        if (moved) {
          deadline = System.nanoTime() + wait.toNanos();
          continue;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new SocketTimeoutException();
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("interrupted");
        }
        sendKey.interestOps(outgoing.hasRemaining() ? SelectionKey.OP_WRITE : 0);
        receiveKey.interestOps(incoming != null ? SelectionKey.OP_READ : 0);
        selector.select(left);
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      String what = incoming != null
          ? "receiving from rank " + Math.floorMod(rank - 1, world) + " (" + incoming.remaining() + " bytes to come)"
          : "sending to rank " + (rank + 1) % world + " (" + outgoing.remaining() + " bytes left)";
      throw failure(what, e, wait);
    }
  }

  private CollectiveException failure(String what, Throwable e, Duration wait) {
    String why = e instanceof SocketTimeoutException ? "no progress within " + wait.toSeconds() + " s" : e.toString();
    return new CollectiveException("rank " + rank + ": " + what + " failed: " + why + " (a peer died or stalled)", e);
  }

  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public void close() {
    for (Closeable c : new Closeable[] {listener, toNext, fromPrev, selector}) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // closing a dead peer's socket can fail; nothing is left to release
        }
      }
    }
  }
}
