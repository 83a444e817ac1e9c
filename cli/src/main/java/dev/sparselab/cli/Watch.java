package dev.sparselab.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code submit --watch}: a progress bar per run (epoch and step of all, training accuracy, ETA), redrawn in place
 * on a terminal, a line per change otherwise; ends when every run has ended.
 */
final class Watch {
    private Watch() {
    }

    static int follow(Api api, String experiment, PrintWriter out, double intervalSeconds) throws InterruptedException {
        boolean terminal = System.console() != null && System.getenv("TERM") != null;
        Map<String, String> last = new LinkedHashMap<>();
        int drawn = 0;
        while (true) {
            JsonNode runs = api.get("/api/v1/runs" + Api.query(Api.params("experiment", experiment, "limit", 5000)));
            boolean done = runs.size() > 0;
            StringBuilder frame = new StringBuilder();
            int failed = 0;
            for (JsonNode r : runs) {
                String status = r.path("status").asString();
                done &= SparseLabCli.TERMINAL.contains(status);
                failed += status.equals("FAILED") || status.equals("CANCELLED") ? 1 : 0;
                String line = line(r);
                if (terminal) {
                    frame.append(line).append('\n');
                } else if (!line.equals(last.put(r.path("id").asString(), line))) {
                    out.println(line);
                }
            }
            if (terminal) {
                if (drawn > 0) {
                    out.print("\033[" + drawn + "F"); // back to the first line of the last frame
                }
                out.print(frame.toString().replace("\n", "\033[K\n"));
                drawn = runs.size();
            }
            out.flush();
            if (done) {
                out.printf("%d run(s) ended: %d succeeded, %d failed or cancelled%n", runs.size(),
                        runs.size() - failed, failed);
                out.flush();
                return failed == 0 ? 0 : 1;
            }
            Thread.sleep((long) (intervalSeconds * 1000));
        }
    }

    /** {@code 3f2a… rigl 0.90 seed 1 [#######.....] 60% epoch 3/5 RUNNING acc 0.812 ETA 12s} */
    static String line(JsonNode r) {
        long steps = Math.max(1, r.path("totalSteps").asLong());
        double progress = SparseLabCli.TERMINAL.contains(r.path("status").asString()) ? 1.0
                : Math.min(1.0, r.path("step").asLong() / (double) steps);
        int filled = (int) Math.round(progress * 20);
        StringBuilder s = new StringBuilder();
        s.append(r.path("id").asString(), 0, Math.min(8, r.path("id").asString().length())).append("  ")
                .append(String.format(Locale.ROOT, "%-8s %-5s seed %-4s", r.path("method").asString(),
                        SparseLabCli.fmt(r.path("target")).replaceAll("0+$", ""), r.path("seed").asString()))
                .append('[').append("#".repeat(filled)).append(".".repeat(20 - filled)).append(']')
                .append(String.format(Locale.ROOT, " %3.0f%% epoch %d/%d %-10s", progress * 100,
                        r.path("epoch").asInt(), r.path("totalEpochs").asInt(), r.path("status").asString()));
        if (r.hasNonNull("trainAccuracy")) {
            s.append(String.format(Locale.ROOT, " train %.3f", r.path("trainAccuracy").asDouble()));
        }
        if (r.hasNonNull("testAccuracy")) {
            s.append(String.format(Locale.ROOT, " test %.3f", r.path("testAccuracy").asDouble()));
        }
        if (r.hasNonNull("etaSeconds")) {
            s.append(String.format(Locale.ROOT, " ETA %.0fs", r.path("etaSeconds").asDouble()));
        }
        if (r.hasNonNull("reason")) {
            s.append(" (").append(r.path("reason").asString()).append(')');
        }
        return s.toString();
    }
}
