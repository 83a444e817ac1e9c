package dev.sparselab.core.engine;

import dev.sparselab.core.sparsity.SetMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The sparse engine's changes of structure, made in the structure itself with memory proportional to the non-zeros,
 * and exactly the masked-dense engine's decisions ({@code SetMethod.evolve}, {@code RigL.dropAndGrow}) from the same
 * random draws: the same sorted orders with the same ties, the same partial Fisher-Yates over the same candidate list
 * (held virtually: the k-th empty position is found by binary search, displaced entries in a hash map), the same
 * top-k with the same ties. The one exception is {@link #sampledPositions}, used to draw the initial mask of a layer
 * too large for the dense algorithm's index array.
 */
final class Structures {
    private Structures() {
    }

    /** A layer's next structure: ascending positions, their values, and the old entry each keeps state from or -1. */
    record Next(long[] positions, float[] values, int[] from) {
    }

    /**
     * {@code active} distinct positions out of {@code count}, uniformly, ascending, in memory proportional to the
     * smaller of {@code active} and {@code count - active} (draws, sorts, removes duplicates, draws again).
     */
    static long[] sampledPositions(long count, long active, SplittableRandom rng) {
        boolean complement = active > count / 2;
        int want = Math.toIntExact(complement ? count - active : active);
        long[] drawn = new long[0];
        while (drawn.length < want) {
            long[] more = new long[drawn.length + (want - drawn.length)];
            System.arraycopy(drawn, 0, more, 0, drawn.length);
            for (int i = drawn.length; i < more.length; i++) {
                more[i] = rng.nextLong(count);
            }
            Arrays.sort(more);
            int distinct = 0;
            for (int i = 0; i < more.length; i++) {
                if (i == 0 || more[i] != more[i - 1]) {
                    more[distinct++] = more[i];
                }
            }
            drawn = Arrays.copyOf(more, distinct);
        }
        if (!complement) {
            return drawn;
        }
        long[] out = new long[Math.toIntExact(active)];
        int d = 0;
        int o = 0;
        for (long p = 0; p < count; p++) {
            if (d < drawn.length && drawn[d] == p) {
                d++;
            } else {
                out[o++] = p;
            }
        }
        return out;
    }

    /** Sort keys of (non-negative float score, entry index): ascending score, ties by ascending index. */
    private static long key(float score, int index) {
        return (long) Float.floatToRawIntBits(score) << 32 | index;
    }

    private static int index(long key) {
        return (int) key;
    }

    /**
     * SET on one layer (Mocanu et al., as {@code SetMethod.evolve}): removes the round(zeta · positives) smallest
     * positive and round(zeta · negatives) largest negative weights, then regrows as many at random among the positions
     * empty before and those just removed, with values from {@code regrow}. A removed connection drawn again gets the
     * new value and keeps its optimizer state (its mask entry did not change).
     */
    static Next evolve(SparseLayer layer, double zeta, SetMethod.Regrow regrow, SplittableRandom rng) {
        float[] v = layer.w.values();
        int nnz = v.length;
        long[] pos = layer.positions();
        long[] positives = new long[nnz];
        long[] negatives = new long[nnz];
        int p = 0;
        int n = 0;
        for (int k = 0; k < nnz; k++) {
            if (v[k] > 0f) {
                positives[p++] = key(v[k], k);
            } else if (v[k] < 0f) {
                negatives[n++] = key(-v[k], k); // largest negative first: ascending |w|
            }
        }
        positives = Arrays.copyOf(positives, p);
        negatives = Arrays.copyOf(negatives, n);
        Arrays.sort(positives);
        Arrays.sort(negatives);
        int removePos = (int) Math.round(zeta * p);
        int removeNeg = (int) Math.round(zeta * n);
        long empty = layer.count() - nnz;
        if (removePos + removeNeg > empty) {
            int total = removePos + removeNeg;
            removePos = (int) ((long) removePos * empty / total);
            removeNeg = (int) (empty - removePos);
        }
        int grow = removePos + removeNeg;
        int[] removed = new int[grow];
        boolean[] isRemoved = new boolean[nnz];
        for (int i = 0; i < removePos; i++) {
            removed[i] = index(positives[i]);
        }
        for (int i = 0; i < removeNeg; i++) {
            removed[removePos + i] = index(negatives[i]);
        }
        for (int k : removed) {
            isRemoved[k] = true;
        }
        // the candidates, in the dense algorithm's order: the empty positions ascending, then the removed ones;
        // a removed one is held as -(entry + 1)
        EmptyPositions empties = new EmptyPositions(layer);
        long free = empty + grow;
        LongLongMap displaced = new LongLongMap(grow);
        long[] chosen = new long[grow];
        for (int i = 0; i < grow; i++) {
            long j = i + rng.nextInt(Math.toIntExact(free - i));
            long atI = displaced.getOrDefault(i, Long.MIN_VALUE);
            if (atI == Long.MIN_VALUE) {
                atI = i < empty ? empties.kth(i) : -(removed[(int) (i - empty)] + 1L);
            }
            long atJ = displaced.getOrDefault(j, Long.MIN_VALUE);
            if (atJ == Long.MIN_VALUE) {
                atJ = j < empty ? empties.kth(j) : -(removed[(int) (j - empty)] + 1L);
            }
            chosen[i] = atJ;
            if (j != i) {
                displaced.put(j, atI);
            }
        }
        float[] values = regrow.draw(grow, rng);
        // grown entries sorted by position
        long[] grownKeys = new long[grow];
        for (int i = 0; i < grow; i++) {
            long c = chosen[i];
            grownKeys[i] = (c >= 0 ? c : pos[(int) (-c - 1)]) << 32 | i;
        }
        Arrays.sort(grownKeys);
        long[] grownPos = new long[grow];
        float[] grownValues = new float[grow];
        int[] grownFrom = new int[grow];
        for (int g = 0; g < grow; g++) {
            int i = (int) grownKeys[g];
            grownPos[g] = grownKeys[g] >>> 32;
            grownValues[g] = values[i];
            grownFrom[g] = chosen[i] >= 0 ? -1 : (int) (-chosen[i] - 1);
        }
        boolean[] keep = new boolean[nnz];
        for (int k = 0; k < nnz; k++) {
            keep[k] = !isRemoved[k];
        }
        return merge(pos, v, keep, grownPos, grownValues, grownFrom);
    }

    /**
     * The next structure: the old entries that stay ({@code keep}, with their values and state) and the grown ones
     * (ascending positions none of which stays, their values and the old entry whose state each keeps, or -1).
     */
    private static Next merge(long[] pos, float[] v, boolean[] keep, long[] grownPos, float[] grownValues,
                              int[] grownFrom) {
        int size = grownPos.length;
        for (boolean k : keep) {
            if (k) {
                size++;
            }
        }
        long[] nextPos = new long[size];
        float[] nextValues = new float[size];
        int[] from = new int[size];
        int out = 0;
        int g = 0;
        for (int k = 0; k <= pos.length; k++) {
            long at = k < pos.length ? pos[k] : Long.MAX_VALUE;
            while (g < grownPos.length && grownPos[g] < at) {
                nextPos[out] = grownPos[g];
                nextValues[out] = grownValues[g];
                from[out++] = grownFrom[g++];
            }
            if (k < pos.length && keep[k]) {
                nextPos[out] = pos[k];
                nextValues[out] = v[k];
                from[out++] = k;
            }
        }
        return new Next(nextPos, nextValues, from);
    }

    /**
     * RigL on one layer (as {@code RigL.dropAndGrow}): drops the {@code k} active connections of smallest |w| (ties
     * broken by seeded noise, then by index), grows the {@code k} positions inactive after the drop with the largest
     * |dense gradient| (ties: the higher index). The dense gradient {@code dz · hᵀ} is computed here, a block of rows
     * at a time, and only its top k are kept. A grown connection starts at 0 with no optimizer state; a dropped one
     * that is grown again keeps its weight and state.
     *
     * @param dzT the layer's output gradient, feature-major {@code [out, batch]}
     * @param hT  the layer's input, feature-major {@code [in, batch]}
     */
    static Next dropAndGrow(SparseLayer layer, float[] dzT, float[] hT, int batch, int k, SplittableRandom rng) {
        float[] v = layer.w.values();
        int nnz = v.length;
        long[] drop = new long[nnz];
        for (int i = 0; i < nnz; i++) {
            drop[i] = key(Math.abs(v[i]) + (float) (rng.nextDouble() * 1e-30), i);
        }
        Arrays.sort(drop);
        boolean[] dropped = new boolean[nnz];
        for (int i = 0; i < k; i++) {
            dropped[index(drop[i])] = true;
        }
        TopK top = new TopK(k);
        int in = layer.in;
        int[] rowPtr = layer.w.rowPtr();
        int[] colIdx = layer.w.colIdx();
        if (k > 0) {
            denseGradient(layer, dzT, hT, batch, (first, rows, block) -> {
                for (int r = 0; r < rows; r++) {
                    int row = first + r;
                    int t = rowPtr[row];
                    for (int c = 0; c < in; c++) {
                        if (t < rowPtr[row + 1] && colIdx[t] == c) {
                            boolean candidate = dropped[t++];
                            if (!candidate) {
                                continue;
                            }
                        }
                        top.offer(Math.abs(block[r * in + c]), (long) row * in + c);
                    }
                }
            });
        }
        long[] grown = top.positions();
        Arrays.sort(grown);
        long[] pos = layer.positions();
        // a grown position that was active (dropped now) keeps its weight and state; a new one starts at 0
        float[] grownValues = new float[grown.length];
        int[] grownFrom = new int[grown.length];
        int i = 0;
        for (int g = 0; g < grown.length; g++) {
            while (i < nnz && pos[i] < grown[g]) {
                i++;
            }
            boolean wasActive = i < nnz && pos[i] == grown[g];
            grownValues[g] = wasActive ? v[i] : 0f;
            grownFrom[g] = wasActive ? i : -1;
        }
        boolean[] keep = new boolean[nnz];
        for (int e = 0; e < nnz; e++) {
            keep[e] = !dropped[e];
        }
        return merge(pos, v, keep, grown, grownValues, grownFrom);
    }

    /** A layer's next structure after an SRigL update, its live neurons (1/0) and the common fan-in. */
    record Srigl(Next next, float[] live, int fanIn) {
    }

    /**
     * Structured RigL on one layer (as {@code StructuredRigL.update}, with the same ties): the salient weights (the
     * keepCount largest |w| and the prune largest |dense gradient|) decide which neurons are ablated (none when
     * {@code gammaSal} is negative); the keepCount largest |w| outside ablated neurons are kept (when these hold fewer
     * entries, the highest empty positions of live neurons fill the count, as the masked-dense engine's layer-wide
     * sort does), each live neuron is cut to the common fan-in by |w| and grown back to it by |dense gradient|. The
     * dense gradient is computed a block of rows at a time, twice when neurons may be ablated (the global saliency,
     * then the growth); memory is proportional to the non-zeros.
     */
    static Srigl srigl(SparseLayer layer, float[] dzT, float[] hT, int batch, int targetActive, double alphaT,
                       double gammaSal) {
        int out = layer.out;
        int in = layer.in;
        float[] v = layer.w.values();
        int[] rowPtr = layer.w.rowPtr();
        int[] colIdx = layer.w.colIdx();
        int ones = v.length;
        int prune = (int) (ones * alphaT);
        int keepCount = ones - prune;
        int nonZero = 0;
        for (float x : v) {
            if (x != 0f) {
                nonZero++;
            }
        }
        if (nonZero < keepCount) {
            keepCount = nonZero;
            prune = ones - keepCount;
        }
        float[] live = new float[out];
        Arrays.fill(live, 1f);
        if (gammaSal >= 0) {
            for (int r : ablated(layer, dzT, hT, batch, targetActive, keepCount, prune, gammaSal)) {
                live[r] = 0f;
            }
        }
        int rows = 0;
        long liveEntries = 0;
        for (int r = 0; r < out; r++) {
            if (live[r] != 0f) {
                rows++;
                liveEntries += rowPtr[r + 1] - rowPtr[r];
            }
        }
        int fanIn = Math.max(1, Math.min(in, (int) Math.round((double) targetActive / rows)));
        // kept: the keepCount largest |w| of live neurons' entries; short of them, the highest empty positions
        boolean[] kept = new boolean[ones];
        long[] extra = new long[0]; // empty positions kept (descending)
        if (liveEntries >= keepCount) {
            long[] keys = new long[Math.toIntExact(liveEntries)];
            int n = 0;
            for (int r = 0; r < out; r++) {
                if (live[r] != 0f) {
                    for (int t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
                        keys[n++] = key(Math.abs(v[t]), t);
                    }
                }
            }
            Arrays.sort(keys);
            for (int i = n - keepCount; i < n; i++) {
                kept[index(keys[i])] = true;
            }
        } else {
            for (int r = 0; r < out; r++) {
                if (live[r] != 0f) {
                    Arrays.fill(kept, rowPtr[r], rowPtr[r + 1], true);
                }
            }
            long want = keepCount - liveEntries;
            long[] found = new long[(int) Math.min(want, (long) rows * in)];
            int f = 0;
            for (int r = out - 1; r >= 0 && f < found.length; r--) {
                if (live[r] == 0f) {
                    continue;
                }
                int t = rowPtr[r + 1] - 1;
                for (int c = in - 1; c >= 0 && f < found.length; c--) {
                    if (t >= rowPtr[r] && colIdx[t] == c) {
                        t--;
                    } else {
                        found[f++] = (long) r * in + c;
                    }
                }
            }
            extra = Arrays.copyOf(found, f);
        }
        // per live neuron: the fan-in's largest kept (an empty kept position scores 0), the rest grown by |gradient|
        long[][] rowKeptPositions = new long[out][];
        int[][] rowKeptFrom = new int[out][];
        int[] growCount = new int[out];
        int e = extra.length - 1; // extra is descending: walk it ascending
        for (int r = 0; r < out; r++) {
            long rowStart = (long) r * in;
            int extraFrom = e;
            while (e >= 0 && extra[e] < rowStart + in) {
                e--;
            }
            if (live[r] == 0f) {
                continue;
            }
            int keptEntries = 0;
            for (int t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
                if (kept[t]) {
                    keptEntries++;
                }
            }
            int inRow = keptEntries + (extraFrom - e);
            int m = Math.min(inRow, fanIn);
            long[] keys = new long[inRow];
            int n = 0;
            for (int t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
                if (kept[t]) {
                    keys[n++] = (long) Float.floatToRawIntBits(Math.abs(v[t])) << 32 | colIdx[t];
                }
            }
            for (int x = extraFrom; x > e; x--) {
                keys[n++] = (int) (extra[x] - rowStart); // score 0
            }
            Arrays.sort(keys);
            long[] keptPos = new long[m];
            for (int i = 0; i < m; i++) {
                keptPos[i] = (int) keys[inRow - m + i];
            }
            Arrays.sort(keptPos);
            int[] from = new int[m];
            int t = rowPtr[r];
            for (int i = 0; i < m; i++) {
                while (t < rowPtr[r + 1] && colIdx[t] < keptPos[i]) {
                    t++;
                }
                from[i] = t < rowPtr[r + 1] && colIdx[t] == keptPos[i] ? t : -1;
            }
            rowKeptPositions[r] = keptPos;
            rowKeptFrom[r] = from;
            growCount[r] = fanIn - m;
        }
        long[][] grownColumns = new long[out][];
        denseGradient(layer, dzT, hT, batch, (first, count, block) -> {
            for (int q = 0; q < count; q++) {
                int r = first + q;
                if (growCount[r] <= 0) {
                    continue;
                }
                TopK top = new TopK(growCount[r]);
                long[] keptPos = rowKeptPositions[r];
                int i = 0;
                for (int c = 0; c < in; c++) {
                    if (i < keptPos.length && keptPos[i] == c) {
                        i++;
                        continue;
                    }
                    top.offer(Math.abs(block[q * in + c]), c);
                }
                long[] cols = top.positions();
                Arrays.sort(cols);
                grownColumns[r] = cols;
            }
        });
        int size = 0;
        for (int r = 0; r < out; r++) {
            if (rowKeptPositions[r] != null) {
                size += rowKeptPositions[r].length + (grownColumns[r] == null ? 0 : grownColumns[r].length);
            }
        }
        long[] positions = new long[size];
        float[] values = new float[size];
        int[] from = new int[size];
        int o = 0;
        for (int r = 0; r < out; r++) {
            long[] keptPos = rowKeptPositions[r];
            if (keptPos == null) {
                continue;
            }
            long[] grown = grownColumns[r] == null ? new long[0] : grownColumns[r];
            int a = 0;
            int b = 0;
            int t = rowPtr[r];
            while (a < keptPos.length || b < grown.length) {
                boolean takeKept = b >= grown.length || a < keptPos.length && keptPos[a] < grown[b];
                long c = takeKept ? keptPos[a] : grown[b];
                int source;
                if (takeKept) {
                    source = rowKeptFrom[r][a++];
                } else {
                    b++;
                    while (t < rowPtr[r + 1] && colIdx[t] < c) {
                        t++;
                    }
                    source = t < rowPtr[r + 1] && colIdx[t] == c ? t : -1; // a dropped one grown again keeps all
                }
                positions[o] = (long) r * in + c;
                values[o] = source >= 0 ? v[source] : 0f;
                from[o++] = source;
            }
        }
        return new Srigl(new Next(positions, values, from), live, fanIn);
    }

    /**
     * SRigL's ablated neurons: rows ranked by their salient weights (the union of the keepCount largest |w| and the
     * prune largest |dense gradient|), those under max(1, int(gammaSal * (targetActive / out))), at least
     * targetActive / in + 1 rows staying (the threshold drops to the count of the row at that rank).
     */
    private static List<Integer> ablated(SparseLayer layer, float[] dzT, float[] hT, int batch, int targetActive,
                                         int keepCount, int prune, double gammaSal) {
        int out = layer.out;
        int in = layer.in;
        float[] v = layer.w.values();
        int[] rowPtr = layer.w.rowPtr();
        int[] colIdx = layer.w.colIdx();
        long[] keys = new long[v.length];
        for (int t = 0; t < v.length; t++) {
            keys[t] = key(Math.abs(v[t]), t);
        }
        Arrays.sort(keys);
        boolean[] byWeight = new boolean[v.length];
        for (int i = v.length - keepCount; i < v.length; i++) {
            byWeight[index(keys[i])] = true;
        }
        int[] salient = new int[out];
        for (int r = 0; r < out; r++) {
            for (int t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
                if (byWeight[t]) {
                    salient[r]++;
                }
            }
        }
        if (prune > 0) {
            TopK top = new TopK(prune);
            denseGradient(layer, dzT, hT, batch, (first, rows, block) -> {
                for (int q = 0; q < rows; q++) {
                    long rowStart = (long) (first + q) * in;
                    for (int c = 0; c < in; c++) {
                        top.offer(Math.abs(block[q * in + c]), rowStart + c);
                    }
                }
            });
            for (long p : top.positions()) {
                int r = (int) (p / in);
                int c = (int) (p % in);
                int t = Arrays.binarySearch(colIdx, rowPtr[r], rowPtr[r + 1], c);
                if (t < 0 || !byWeight[t]) {
                    salient[r]++;
                }
            }
        }
        int threshold = Math.max(1, (int) (gammaSal * (targetActive / out)));
        int minNeurons = targetActive / in;
        if (minNeurons < out) {
            int[] sorted = salient.clone();
            Arrays.sort(sorted);
            int atRank = sorted[out - 1 - minNeurons]; // the (minNeurons + 1)-th largest
            if (atRank < threshold) {
                threshold = atRank;
            }
        }
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < out; r++) {
            if (salient[r] < threshold) {
                rows.add(r);
            }
        }
        return rows;
    }

    /** Receives the dense gradient of rows {@code first .. first + rows - 1}, row-major in {@code block}. */
    interface GradientRows {
        void accept(int first, int rows, float[] block);
    }

    /**
     * The layer's dense weight gradient {@code dz · hᵀ}, a block of rows at a time (about 2²² values), handed to
     * {@code sink} in row order; the block is reused.
     */
    static void denseGradient(SparseLayer layer, float[] dzT, float[] hT, int batch, GradientRows sink) {
        int in = layer.in;
        float[] hEx = new float[in * batch]; // example-major: a row of the dense gradient is a sum of scaled rows
        for (int c = 0; c < in; c++) {
            for (int b = 0; b < batch; b++) {
                hEx[b * in + c] = hT[c * batch + b];
            }
        }
        int blockRows = Math.max(1, Math.min(layer.out, (1 << 22) / in));
        float[] block = new float[blockRows * in];
        for (int r0 = 0; r0 < layer.out; r0 += blockRows) {
            int rows = Math.min(blockRows, layer.out - r0);
            int first = r0;
            IntStream.range(0, rows).parallel().forEach(r -> {
                int o = r * in;
                Arrays.fill(block, o, o + in, 0f);
                int zo = (first + r) * batch;
                for (int b = 0; b < batch; b++) {
                    float a = dzT[zo + b];
                    if (a != 0f) {
                        int ho = b * in;
                        for (int c = 0; c < in; c++) {
                            block[o + c] += a * hEx[ho + c];
                        }
                    }
                }
            });
            sink.accept(first, rows, block);
        }
    }

    /** The empty positions of a layer in ascending order, addressed by rank without listing them. */
    static final class EmptyPositions {
        private final SparseLayer layer;
        private final long[] before; // empty positions in the rows before row r

        EmptyPositions(SparseLayer layer) {
            this.layer = layer;
            int[] rowPtr = layer.w.rowPtr();
            before = new long[layer.out + 1];
            for (int r = 0; r < layer.out; r++) {
                before[r + 1] = before[r] + layer.in - (rowPtr[r + 1] - rowPtr[r]);
            }
        }

        /** The position of the {@code x}-th empty position (0-based). */
        long kth(long x) {
            int lo = 0;
            int hi = layer.out - 1;
            while (lo < hi) { // the last row r with before[r] <= x
                int mid = (lo + hi + 1) >>> 1;
                if (before[mid] <= x) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            int row = lo;
            long t = x - before[row];
            int[] colIdx = layer.w.colIdx();
            int from = layer.w.rowPtr()[row];
            int to = layer.w.rowPtr()[row + 1];
            // the first active entry a (index m within the row) with a - m > t: the t-th empty column precedes it
            int a = from;
            int b = to;
            while (a < b) {
                int mid = (a + b) >>> 1;
                if (colIdx[mid] - (mid - from) > t) {
                    b = mid;
                } else {
                    a = mid + 1;
                }
            }
            return (long) row * layer.in + t + (a - from);
        }
    }

    /** The k largest scores by (score, position): a min-heap whose root is the weakest kept. */
    static final class TopK {
        private final float[] score;
        private final long[] position;
        private int size;

        TopK(int k) {
            score = new float[k];
            position = new long[k];
        }

        private boolean weaker(int a, int b) {
            return score[a] < score[b] || score[a] == score[b] && position[a] < position[b];
        }

        void offer(float s, long p) {
            int k = score.length;
            if (k == 0) {
                return;
            }
            if (size < k) {
                int i = size++;
                score[i] = s;
                position[i] = p;
                while (i > 0 && weaker(i, (i - 1) / 2)) {
                    swap(i, (i - 1) / 2);
                    i = (i - 1) / 2;
                }
                return;
            }
            if (s < score[0] || s == score[0] && p < position[0] || Float.isNaN(s)) {
                return;
            }
            score[0] = s;
            position[0] = p;
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int m = i;
                if (l < size && weaker(l, m)) {
                    m = l;
                }
                if (r < size && weaker(r, m)) {
                    m = r;
                }
                if (m == i) {
                    return;
                }
                swap(i, m);
                i = m;
            }
        }

        private void swap(int a, int b) {
            float s = score[a];
            score[a] = score[b];
            score[b] = s;
            long p = position[a];
            position[a] = position[b];
            position[b] = p;
        }

        long[] positions() {
            return Arrays.copyOf(position, size);
        }
    }

    /** An open-addressing map of non-negative long keys to long values (the displaced entries of a shuffle). */
    static final class LongLongMap {
        private final long[] keys;
        private final long[] values;
        private final int mask;

        LongLongMap(int expected) {
            int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
            keys = new long[capacity];
            values = new long[capacity];
            Arrays.fill(keys, -1L);
            mask = capacity - 1;
        }

        private int slot(long key) {
            int h = (int) (key ^ key >>> 32) * 0x9E3779B9;
            int i = h & mask;
            while (keys[i] != -1L && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        long getOrDefault(long key, long fallback) {
            int i = slot(key);
            return keys[i] == key ? values[i] : fallback;
        }

        void put(long key, long value) {
            int i = slot(key);
            keys[i] = key;
            values[i] = value;
        }
    }
}
