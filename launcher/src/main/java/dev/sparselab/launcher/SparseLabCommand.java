package dev.sparselab.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparselab up}: the platform on this machine. */
@Command(name = "sparselab", mixinStandardHelpOptions = true, version = "SparseLab 0.1.0",
        description = "SparseLab, a lab platform for sparse neural-network training.",
        subcommands = {SparseLabCommand.Up.class})
public class SparseLabCommand {

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start PostgreSQL, Kafka and all services locally; the gateway serves http://localhost:PORT.")
    static class Up implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = "${env:SPARSELAB_HOME:-.sparselab}",
                description = "Where the database and Kafka keep their data (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--kafka-port", defaultValue = "19092", description = "Kafka port (default: ${DEFAULT-VALUE}).")
        int kafkaPort;

        @Option(names = "--postgres-port", defaultValue = "15432",
                description = "PostgreSQL port (default: ${DEFAULT-VALUE}).")
        int postgresPort;

        @Option(names = "--datasets-dir", defaultValue = "${env:SPARSELAB_DATASETS_DIR:-/usr/share/datasets}",
                description = "Folder that holds fashion-mnist/ (default: ${DEFAULT-VALUE}).")
        Path datasetsDir;

        @Option(names = "--partitions", defaultValue = "4",
                description = "Partitions of the run queue (sparselab.run.requested) when it is first created: the most"
                        + " trainers that can take runs at once (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--trainers", defaultValue = "0",
                description = "Trainer processes, one JVM each, in one consumer group (default: ${DEFAULT-VALUE}:"
                        + " one trainer inside this JVM).")
        int trainers;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(datasetsDir.resolve("fashion-mnist"))) {
                System.err.println("warning: Fashion-MNIST is not in " + datasetsDir.resolve("fashion-mnist")
                        + "; runs on it will fail until you 'sudo apt-get install dataset-fashion-mnist'"
                        + " (or point --datasets-dir at a folder holding fashion-mnist/*.gz). 'synthetic' runs work.");
            }
            LocalPlatform platform = LocalPlatform.start(new LocalPlatform.Options(
                    dataDir.toAbsolutePath(), port, kafkaPort, postgresPort, datasetsDir, partitions, trainers,
                    java.util.List.of()));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                platform.close();
                stopped.countDown();
            }, "sparselab-shutdown"));
            System.out.println();
            System.out.println("SparseLab is up: " + platform.baseUrl() + "  (API: " + platform.baseUrl()
                    + "/api/v1, data: " + dataDir.toAbsolutePath() + "). Ctrl-C stops it.");
            stopped.await();
            return 0;
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new SparseLabCommand()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
