package dev.sparselab.core.cond;

import java.util.Arrays;
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
     * ({@link #balancedCapacities}), maximizing the total token-expert score, exactly: a min-cost flow by successive
     * shortest paths. Tokens are inserted one at a time; a token enters the expert at the end of the cheapest chain
     * "token -> expert e1, a token of e1 moves to e2, ..., into an expert with a free slot" (Bellman-Ford over the
     * experts; the edge e1 -> e2 costs the least score a token of e1 loses by moving to e2). Each insertion keeps
     * the assignment of the tokens so far optimal, so the last one is the optimum. fairseq's BASE layer
     * approximates the same optimum with an auction; this one used to stop its auction on a bid budget and assign
     * the rest greedily, 7% below the optimum when one expert dominates (the case BASE exists for).
     * O(tokens * (experts^2 * path + tokens)) here: milliseconds for a batch of thousands of tokens and 8 experts.
     */
    public static int[] balancedAssignment(float[] scores, int tokens, int experts) {
        int[] cap = balancedCapacities(tokens, experts);
        int[] assigned = new int[tokens];
        Arrays.fill(assigned, -1);
        int[][] members = new int[experts][];
        int[] size = new int[experts];
        for (int e = 0; e < experts; e++) {
            members[e] = new int[cap[e]];
        }
        // move[a][b]: the least score lost by moving one of a's tokens to b, and that token
        double[][] move = new double[experts][experts];
        int[][] mover = new int[experts][experts];
        for (double[] row : move) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        double[] dist = new double[experts];
        int[] prev = new int[experts];
        for (int t = 0; t < tokens; t++) {
            for (int e = 0; e < experts; e++) {
                dist[e] = -scores[t * experts + e];
                prev[e] = -1;
            }
            for (int round = 0; round < experts; round++) {
                boolean changed = false;
                for (int a = 0; a < experts; a++) {
                    if (size[a] == 0) {
                        continue;
                    }
                    for (int b = 0; b < experts; b++) {
                        double via = dist[a] + move[a][b];
                        if (b != a && via < dist[b] - 1e-9) {
                            dist[b] = via;
                            prev[b] = a;
                            changed = true;
                        }
                    }
                }
                if (!changed) {
                    break;
                }
            }
            int target = -1;
            for (int e = 0; e < experts; e++) {
                if (size[e] < cap[e] && (target < 0 || dist[e] < dist[target])) {
                    target = e;
                }
            }
            // the chain back from the target: each step moves one token of prev into the next expert
            int[] chainExperts = new int[experts + 1];
            int length = 0;
            for (int e = target; e >= 0 && length <= experts; e = prev[e]) {
                chainExperts[length++] = e;
            }
            int[] movers = new int[length - 1];
            for (int i = 0; i + 1 < length; i++) {
                movers[i] = mover[chainExperts[i + 1]][chainExperts[i]];
            }
            for (int i = 0; i + 1 < length; i++) {
                int from = chainExperts[i + 1];
                remove(members[from], size, from, movers[i]);
                members[chainExperts[i]][size[chainExperts[i]]++] = movers[i];
                assigned[movers[i]] = chainExperts[i];
            }
            int entry = chainExperts[length - 1];
            members[entry][size[entry]++] = t;
            assigned[t] = entry;
            for (int i = 0; i < length; i++) {
                int a = chainExperts[i];
                for (int b = 0; b < experts; b++) {
                    move[a][b] = Double.POSITIVE_INFINITY;
                    for (int k = 0; k < size[a]; k++) {
                        int u = members[a][k];
                        double lost = scores[u * experts + a] - scores[u * experts + b];
                        if (b != a && lost < move[a][b]) {
                            move[a][b] = lost;
                            mover[a][b] = u;
                        }
                    }
                }
            }
        }
        return assigned;
    }

    private static void remove(int[] members, int[] size, int expert, int token) {
        for (int k = 0; k < size[expert]; k++) {
            if (members[k] == token) {
                members[k] = members[--size[expert]];
                return;
            }
        }
        throw new IllegalStateException("token " + token + " is not with expert " + expert);
    }
}
