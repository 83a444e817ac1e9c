package dev.sparselab.launcher;

import dev.sparselab.trainer.TrainerServiceApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer-service in a JVM of its own, as on a cluster: a member of the {@code trainers} consumer group
 * that can die (be killed) without taking the rest of the platform with it. Its output goes to a log file.
 */
public final class TrainerProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainerProcess.class);

    private final String name;
    private final Process process;
    private final Path logFile;

    private TrainerProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts a trainer with this JVM's classpath (a plain classpath or the launcher's executable jar).
     *
     * @param springArgs the service's arguments (database, Kafka, datasets)
     */
    public static TrainerProcess start(String name, List<String> springArgs, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path logFile = logDir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // C2 on: the sparse engine's kernels are JIT-vectorized loops (about 2.6x slower under C1 only)
        cmd.addAll(List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-XX:+UseParallelGC", "-Dai.djl.offline=true"));
        String classpath = System.getProperty("java.class.path");
        if (isBootJar(classpath)) {
            cmd.addAll(List.of("-Dloader.main=" + TrainerServiceApplication.class.getName(), "-cp", classpath,
                    "org.springframework.boot.loader.launch.PropertiesLauncher"));
        } else {
            cmd.addAll(List.of("-cp", classpath, TrainerServiceApplication.class.getName()));
        }
        cmd.addAll(springArgs);
        cmd.add("--sparselab.trainer.name=" + name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        log.info("trainer {} started as process {} (log: {})", name, p.pid(), logFile);
        return new TrainerProcess(name, p, logFile);
    }

    private static boolean isBootJar(String classpath) {
        if (!classpath.endsWith(".jar") || classpath.contains(java.io.File.pathSeparator)) {
            return false;
        }
        try (JarFile jar = new JarFile(classpath)) {
            return jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Spring-Boot-Classes") != null;
        } catch (IOException e) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Kills the process at once (SIGKILL): no shutdown hooks, no goodbyes, as when a machine dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Freezes the process (SIGSTOP), as a long GC pause or a partition would: it keeps its state, does nothing. */
    public void suspend() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a {@link #suspend suspended} process go on (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Asks the process to stop (SIGTERM): its runs stop at the next step and are handed back. */
    public void terminate() {
        process.destroy();
    }

    /** Stops the process cleanly (SIGTERM), forcibly after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
