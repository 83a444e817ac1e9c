package dev.sparselab.core.cond;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.spec.AttentionSpec;
import org.junit.jupiter.api.Test;

/** Each pattern allows exactly the (query, key) pairs it specifies, and its density counts them. */
class AttentionPatternTest {
    private static AttentionSpec spec(String pattern, Integer window, Integer stride, Integer block, Integer global,
                                      Integer random, Integer k) {
        return new AttentionSpec(pattern, window, stride, block, global, random, k);
    }

    @Test
    void denseIsCausalAndFull() {
        AttentionPattern p = AttentionPattern.of(spec("dense", null, null, null, null, null, null), 16, 1);
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                assertThat(p.allowed(i, j)).isEqualTo(j <= i);
            }
        }
        assertThat(p.density()).isEqualTo(1.0);
        assertThat(p.width()).isEqualTo(16);
    }

    @Test
    void windowAttendsTheLastWPositions() {
        int t = 32;
        int w = 5;
        AttentionPattern p = AttentionPattern.of(spec("window", w, null, null, null, null, null), t, 1);
        long pairs = 0;
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                assertThat(p.allowed(i, j)).as("(%d, %d)", i, j).isEqualTo(j <= i && i - j < w);
            }
            pairs += Math.min(w, i + 1);
        }
        assertThat(p.pairs()).isEqualTo(pairs);
        // 1+2+3+4 + 28*5 = 150 of 528 causal pairs
        assertThat(p.density()).isEqualTo(150.0 / 528);
        assertThat(p.width()).isEqualTo(w);
    }

    @Test
    void stridedAttendsLocallyAndEveryStrideTh() {
        int t = 32;
        int s = 4;
        AttentionPattern p = AttentionPattern.of(spec("strided", null, s, null, null, null, null), t, 1);
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                assertThat(p.allowed(i, j)).isEqualTo(i - j < s || (i - j) % s == 0);
            }
        }
        assertThat(p.allowed(31, 3)).isTrue();
        assertThat(p.allowed(31, 2)).isFalse();
        assertThat(p.density()).isLessThan(0.5);
    }

    @Test
    void bigbirdHasGlobalWindowAndRandomBlocks() {
        int t = 64;
        int b = 8;
        int g = 2;
        AttentionPattern p = AttentionPattern.of(spec("bigbird", null, null, b, g, 1, null), t, 7);
        int[][] extraBlocks = new int[t / b][t / b];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                boolean global = j < g || i < g;
                boolean local = j / b == i / b || j / b == i / b - 1;
                if (global || local) {
                    assertThat(p.allowed(i, j)).as("(%d, %d)", i, j).isTrue();
                } else if (p.allowed(i, j)) {
                    extraBlocks[i / b][j / b]++;
                }
            }
            for (int j = i + 1; j < t; j++) {
                assertThat(p.allowed(i, j)).isFalse();
            }
        }
        // every query block from the third on has exactly one random earlier block, attended by all its queries
        for (int qb = 0; qb < t / b; qb++) {
            long randomBlocks = java.util.Arrays.stream(extraBlocks[qb]).filter(c -> c > 0).count();
            assertThat(randomBlocks).isEqualTo(qb >= 2 ? 1 : 0);
            for (int kb = 0; kb < t / b; kb++) {
                // a random block is attended whole (its global columns are counted as global)
                assertThat(extraBlocks[qb][kb]).isIn(0, b * (b - (kb == 0 ? g : 0)));
            }
        }
        // the same seed gives the same pattern; another seed (almost surely) not
        AttentionPattern again = AttentionPattern.of(spec("bigbird", null, null, b, g, 1, null), t, 7);
        assertThat(again.index()).isEqualTo(p.index());
        assertThat(p.density()).isBetween(0.2, 0.7);
    }

    @Test
    void topkDensityCountsTheKeptKeys() {
        // 16 positions, k 4: 1+2+3 + 13*4 = 58 of 136
        assertThat(AttentionPattern.topkDensity(16, 4)).isEqualTo(58.0 / 136);
        assertThat(AttentionPattern.topkDensity(16, 16)).isEqualTo(1.0);
    }

    @Test
    void indexTableListsEachQuerysKeysThenPads() {
        AttentionPattern p = AttentionPattern.of(spec("window", 3, null, null, null, null, null), 6, 1);
        assertThat(p.width()).isEqualTo(3);
        // query 0: key 0 then padding; query 5: keys 3, 4, 5
        assertThat(java.util.Arrays.copyOfRange(p.valid(), 0, 3)).containsExactly(true, false, false);
        assertThat(java.util.Arrays.copyOfRange(p.index(), 15, 18)).containsExactly(3, 4, 5);
    }
}
