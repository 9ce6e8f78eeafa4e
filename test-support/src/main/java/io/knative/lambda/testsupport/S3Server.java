package io.knative.lambda.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real S3 server ({@code s3rver} from npm, run by Node.js) on a free loopback port, with buckets
 * created at start. Its credentials are s3rver's fixed pair {@link #ACCESS_KEY_ID} / {@link #SECRET_ACCESS_KEY}.
 */
public final class S3Server extends LocalProcess {

    public static final String ACCESS_KEY_ID = "S3RVER";
    public static final String SECRET_ACCESS_KEY = "S3RVER";

    private final int port;

    private S3Server(Path dir, int port, List<String> command) {
        super("s3rver", command, dir);
        this.port = port;
    }

    /** Starts s3rver with the given buckets and waits until it answers. */
    public static S3Server start(String... buckets) {
        Path dir = tempDir("klambda-s3-");
        int port = freePort();
        String script = System.getProperty("test.s3rver",
                System.getProperty("test.project.dir", ".") + "/.tools/node_modules/s3rver/bin/s3rver.js");
        if (!new java.io.File(script).isFile()) {
            throw new IllegalStateException("s3rver is not installed at " + script
                    + ". Run `make tools` to install what the integration tests need.");
        }
        // s3rver's ListObjectsV2 continuation tokens use single DES, which Node 17+ has only with the legacy provider
        List<String> command = new ArrayList<>(List.of(executable("node", "/usr/bin/node", "/usr/local/bin/node"),
                "--openssl-legacy-provider", script,
                "--directory", dir.resolve("data").toString(), "--address", "127.0.0.1", "--port", String.valueOf(port),
                "--silent", "--allow-mismatched-signatures", "--no-vhost-buckets"));
        for (String bucket : buckets) {
            command.add("--configure-bucket");
            command.add(bucket);
        }
        S3Server server = new S3Server(dir, port, command);
        server.awaitHttp(server.endpoint() + "/", status -> status < 500, Duration.ofSeconds(20));
        return server;
    }

    /** {@code http://127.0.0.1:<port>}, for {@code KLAMBDA_S3_ENDPOINT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }
}
