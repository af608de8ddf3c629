package dytrain.spark;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * A real S3 API server in this JVM on a loopback port: s3proxy over jclouds' in-memory store, signing
 * checked (AWS v4). It can hold one upload open, as a slow network would, so a test can kill the
 * uploading process mid-checkpoint; the held object is then never stored, as with a PUT cut short.
 */
final class S3Server implements AutoCloseable {
  static final String BUCKET = "dytrain";
  /** A bucket whose endpoint only Spark's settings name (see {@link #sparkOnlySettings()}). */
  static final String SPARK_ONLY_BUCKET = "spark-only";
  /** The Hadoop resource with the S3A settings; its endpoint's port is this system property. */
  static final String RESOURCE = "dytrain-s3proxy.xml";
  static final String PORT_PROPERTY = "dytrain.test.s3.port";
  private static final String NO_INSTANCE_METADATA = "aws.disableEc2Metadata";

  private final BlobStoreContext context;
  private final HeldUploads store;
  private final S3Proxy proxy;

  S3Server() throws Exception {
    // by metadata, not by name: a lookup by name loads every provider s3proxy lists, Azure's too (left out)
    context = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("unused", "unused")
        .build(BlobStoreContext.class);
    store = new HeldUploads(context.getBlobStore());
    proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "dytrain", "dytrain-secret").build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!proxy.getState().equals("STARTED")) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      Thread.sleep(10);
    }
    store.createContainerInLocation(null, BUCKET);
    store.createContainerInLocation(null, SPARK_ONLY_BUCKET);
    // every Configuration in this JVM (and a child given properties()) reaches the server through S3A
    System.setProperty(PORT_PROPERTY, Integer.toString(proxy.getPort()));
    System.setProperty(NO_INSTANCE_METADATA, "true"); // the SDK never looks for an EC2 metadata service off loopback
    Configuration.addDefaultResource(RESOURCE);
  }

  /** System properties that give a child JVM the same S3A settings (see {@link KilledRun}). */
  List<String> properties() {
    return List.of("-D" + PORT_PROPERTY + "=" + proxy.getPort(), "-D" + KilledRun.HADOOP_RESOURCE + "=" + RESOURCE,
        "-D" + NO_INSTANCE_METADATA + "=true");
  }

  /**
   * Spark settings, as {@code spark-submit --conf} gives them, that make {@link #SPARK_ONLY_BUCKET} reachable.
   * They also keep file systems opened with them out of Hadoop's cache, which is keyed by bucket alone: a
   * plain Configuration must not be handed an instance someone else opened with these settings.
   */
  Map<String, String> sparkOnlySettings() {
    return Map.of(
        "spark.hadoop.fs.s3a.bucket." + SPARK_ONLY_BUCKET + ".endpoint", "http://127.0.0.1:" + proxy.getPort(),
        "spark.hadoop.fs.s3a.impl.disable.cache", "true");
  }

  /** The next upload of {@code key} arrives, is held, and is refused once {@link Hold#release()} is called. */
  Hold hold(String key) {
    Hold hold = new Hold(key);
    store.hold = hold;
    return hold;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }

  static final class Hold {
    final String key;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    Hold(String key) {
      this.key = key;
    }

    void awaitArrival() throws InterruptedException {
      if (!arrived.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("no upload of " + key + " arrived");
    }

    void release() {
      released.countDown();
    }
  }

  private static final class HeldUploads extends ForwardingBlobStore {
    volatile Hold hold;

    HeldUploads(BlobStore delegate) {
      super(delegate);
    }

    @Override
    public String putBlob(String container, Blob blob) {
      return putBlob(container, blob, PutOptions.NONE);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
      Hold h = hold;
      if (h != null && blob.getMetadata().getName().equals(h.key)) {
        hold = null;
        h.arrived.countDown();
        try {
          h.released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("upload of " + h.key + " cut short by the test");
      }
      return delegate().putBlob(container, blob, options);
    }
  }
}
