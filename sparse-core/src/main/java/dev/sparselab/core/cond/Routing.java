package dev.sparselab.core.cond;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The discrete side of routing, on plain arrays: top-k choice, capacity-limited dispatch, hash tables and
 * BASE's balanced assignment. Scores are row-major [tokens x experts].
 */
public final class Routing {
    private Routing() {
    }

    /** The k highest-scoring experts of every token, best first (ties: the lower index). */
    public static int[][] topK(float[] scores, int tokens, int experts, int k) {
        int[][] out = new int[tokens][k];
        Integer[] idx = new Integer[experts];
        for (int t = 0; t < tokens; t++) {
            for (int e = 0; e < experts; e++) {
                idx[e] = e;
            }
            int base = t * experts;
            Arrays.sort(idx, (a, b) -> {
                int c = Float.compare(scores[base + b], scores[base + a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int j = 0; j < k; j++) {
                out[t][j] = idx[j];
            }
        }
        return out;
    }

    /**
     * Where each (token, choice) goes: expert e's buffer holds at most {@code capacity} tokens; first choices
     * are placed before second choices, tokens in order (as GShard / Switch do), the rest are dropped.
     *
     * @param slotToken  per slot (expert * capacity + position) the token in it, -1 if empty
     * @param tokenSlot  per token and choice its slot, -1 if dropped
     * @param routed     tokens each expert was chosen by, before capacity
     * @param dropped    choices dropped for capacity
     */
    public record Dispatch(int experts, int capacity, int[] slotToken, int[][] tokenSlot, long[] routed,
                           long dropped) {
        public int choices() {
            return tokenSlot.length == 0 ? 0 : tokenSlot.length * tokenSlot[0].length;
        }
    }

    /** Dispatches with a capacity per expert; {@code capacity <= 0} means unlimited (the largest load). */
    public static Dispatch dispatch(int[][] choices, int experts, int capacity) {
        int tokens = choices.length;
        int k = tokens == 0 ? 0 : choices[0].length;
        long[] routed = new long[experts];
        for (int[] c : choices) {
            for (int e : c) {
                routed[e]++;
            }
        }
        int cap = capacity;
        if (cap <= 0) {
            cap = (int) Math.max(1, Arrays.stream(routed).max().orElse(1));
        }
        int[] slotToken = new int[experts * cap];
        Arrays.fill(slotToken, -1);
        int[][] tokenSlot = new int[tokens][k];
        int[] fill = new int[experts];
        long dropped = 0;
        for (int j = 0; j < k; j++) {
            for (int t = 0; t < tokens; t++) {
                int e = choices[t][j];
                if (fill[e] < cap) {
                    int slot = e * cap + fill[e]++;
                    slotToken[slot] = t;
                    tokenSlot[t][j] = slot;
                } else {
                    tokenSlot[t][j] = -1;
                    dropped++;
                }
            }
        }
        return new Dispatch(experts, cap, slotToken, tokenSlot, routed, dropped);
    }

    /** ceil(factor * tokens * k / experts), at least 1. */
    public static int capacity(double factor, int tokens, int k, int experts) {
        return (int) Math.max(1, Math.ceil(factor * tokens * k / experts));
    }

    /**
     * A hash layer's fixed token-to-expert table. {@code random}: a seeded random permutation of the
     * vocabulary dealt round-robin, so every expert gets floor or ceil(V/E) token ids. {@code balanced}:
     * tokens in decreasing training frequency, each to the expert with the least frequency so far (so the
     * expected loads are balanced, not the id counts).
     */
    public static int[] hashTable(long[] frequencies, int experts, boolean balanced, long seed) {
        int v = frequencies.length;
        Integer[] order = java.util.Arrays.stream(
                dev.sparselab.core.data.Shuffle.permutation(v, new SplittableRandom(seed ^ 0x4A54L)))
                .boxed().toArray(Integer[]::new);
        int[] table = new int[v];
        if (!balanced) {
            for (int i = 0; i < v; i++) {
                table[order[i]] = i % experts;
            }
            return table;
        }
        Arrays.sort(order, (a, b) -> Long.compare(frequencies[b], frequencies[a])); // stable: ties keep the shuffle
        long[] load = new long[experts];
        int[] ids = new int[experts];
        for (Integer token : order) {
            int best = 0;
            for (int e = 1; e < experts; e++) {
                if (load[e] < load[best] || load[e] == load[best] && ids[e] < ids[best]) {
                    best = e;
                }
            }
            table[token] = best;
            load[best] += frequencies[token];
            ids[best]++;
        }
        return table;
    }

    /** Each token's highest-scoring expert (BASE at evaluation). */
    public static int[] greedy(float[] scores, int tokens, int experts) {
        int[] out = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            int best = 0;
            for (int e = 1; e < experts; e++) {
                if (scores[t * experts + e] > scores[t * experts + best]) {
                    best = e;
                }
            }
            out[t] = best;
        }
        return out;
    }

    /** How many tokens each expert takes in a balanced assignment: T/E, the first T mod E experts one more. */
    public static int[] balancedCapacities(int tokens, int experts) {
        int[] cap = new int[experts];
        for (int e = 0; e < experts; e++) {
            cap[e] = tokens / experts + (e < tokens % experts ? 1 : 0);
        }
        return cap;
    }

    /**
     * BASE layers' balanced assignment: every expert receives exactly its share of the tokens
     * ({@link #balancedCapacities}), maximizing the total token-expert score, by Bertsekas' forward auction
     * over slots (each expert's share is that many identical slots with their own prices). Bids raise a slot's
     * price by the bidder's margin over its second-best slot plus {@code eps}, so the result is within
     * tokens * eps of the optimum; eps is 1e-4 of the score range. Should the auction run past its bid budget,
     * the tokens still unassigned take the free slots of their best experts in turn (the balance holds either way).
     */
    public static int[] balancedAssignment(float[] scores, int tokens, int experts) {
        int[] cap = balancedCapacities(tokens, experts);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        double eps = Math.max(1e-9, (max - min) * 1e-4);
        // per expert: its slots as a min-heap of {price, slot}; slot owners
        @SuppressWarnings("unchecked")
        PriorityQueue<double[]>[] heaps = new PriorityQueue[experts];
        int slots = 0;
        for (int e = 0; e < experts; e++) {
            heaps[e] = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
            for (int i = 0; i < cap[e]; i++) {
                heaps[e].add(new double[]{0, slots++});
            }
        }
        int[] owner = new int[tokens];
        Arrays.fill(owner, -1);
        int[] assigned = new int[tokens];
        Arrays.fill(assigned, -1);
        java.util.ArrayDeque<Integer> free = new java.util.ArrayDeque<>();
        for (int t = 0; t < tokens; t++) {
            free.add(t);
        }
        long budget = 200L * tokens + 10_000;
        while (!free.isEmpty() && budget-- > 0) {
            int t = free.poll();
            int best = -1;
            double v1 = Double.NEGATIVE_INFINITY;
            double v2 = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                if (heaps[e].isEmpty()) {
                    continue;
                }
                double v = scores[t * experts + e] - heaps[e].peek()[0];
                if (v > v1) {
                    v2 = v1;
                    v1 = v;
                    best = e;
                } else if (v > v2) {
                    v2 = v;
                }
            }
            // the best expert's second-cheapest slot is also an alternative
            double[] slot = heaps[best].poll();
            if (!heaps[best].isEmpty()) {
                v2 = Math.max(v2, scores[t * experts + best] - heaps[best].peek()[0]);
            }
            double increment = (v2 == Double.NEGATIVE_INFINITY ? 0 : v1 - v2) + eps;
            slot[0] += increment;
            int s = (int) slot[1];
            if (owner[s] >= 0) {
                assigned[owner[s]] = -1;
                free.add(owner[s]);
            }
            owner[s] = t;
            assigned[t] = best;
            heaps[best].add(slot);
        }
        if (!free.isEmpty()) {
            int[] fill = new int[experts];
            for (int t = 0; t < tokens; t++) {
                if (assigned[t] >= 0) {
                    fill[assigned[t]]++;
                }
            }
            for (int t : free) {
                int best = -1;
                for (int e = 0; e < experts; e++) {
                    if (fill[e] < cap[e] && (best < 0 || scores[t * experts + e] > scores[t * experts + best])) {
                        best = e;
                    }
                }
                assigned[t] = best;
                fill[best]++;
            }
        }
        return assigned;
    }
}
