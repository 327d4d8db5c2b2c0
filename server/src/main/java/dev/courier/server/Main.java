package dev.courier.server;

import dev.courier.server.config.ConfigException;
import dev.courier.server.config.ConfigLoader;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.storage.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/// `courier-server [--config FILE]`: starts the server until SIGTERM or Ctrl-C.
public final class Main {
    private static final String USAGE = """
            Usage: courier-server [--config FILE]

            Starts the Courier server: on the embedded SQLite store by default, or on
            PostgreSQL with storage.backend=postgres and storage.postgres.url.

              --config FILE   a properties file of settings (see docs/OPERATIONS.md)
              --help          show this text

            Every setting can be overridden by an environment variable, e.g.
            http.port=8080 by COURIER_HTTP_PORT, storage.dataDir by COURIER_STORAGE_DATA_DIR.
            """;

    private Main() {}

    public static void main(String[] args) {
        Optional<Path> configFile = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                case "--config" -> {
                    if (i + 1 >= args.length) fail("--config needs a file name");
                    configFile = Optional.of(Path.of(args[++i]));
                    if (!Files.isRegularFile(configFile.get())) fail("config file " + configFile.get() + " does not exist");
                }
                default -> fail("unknown option '" + args[i] + "' (try --help)");
            }
        }
        ServerConfig config = null;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            fail("configuration error: " + e.getMessage());
        }
        try {
            CourierServer server = CourierServer.start(config, Clock.systemUTC());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        } catch (StorageException e) {
            fail(e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    fail("cannot listen on " + config.http().host() + ":" + config.http().port() + ": " + t.getMessage()
                            + " (set http.port or COURIER_HTTP_PORT)");
                }
            }
            throw e;
        }
    }

    private static void fail(String message) {
        System.err.println("courier-server: " + message);
        System.exit(2);
    }
}
