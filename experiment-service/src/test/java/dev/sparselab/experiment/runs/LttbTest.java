package dev.sparselab.experiment.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LttbTest {
    static List<RunQueries.SeriesPoint> series(int n) {
        List<RunQueries.SeriesPoint> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            points.add(new RunQueries.SeriesPoint(i, 1, Math.sin(i / 1000.0)));
        }
        return points;
    }

    @Test
    void aMillionPointsComeBackAsAtMostMaxPointsKeepingTheEnds() {
        List<RunQueries.SeriesPoint> points = series(1_000_000);
        points.set(500_123, new RunQueries.SeriesPoint(500_123, 1, 50.0)); // a spike
        List<RunQueries.SeriesPoint> down = Lttb.downsample(points, 1000);
        assertThat(down).hasSize(1000);
        assertThat(down.get(0)).isEqualTo(points.get(0));
        assertThat(down.get(999)).isEqualTo(points.get(999_999));
        // steps strictly increase and the spike survives
        for (int i = 1; i < down.size(); i++) {
            assertThat(down.get(i).step()).isGreaterThan(down.get(i - 1).step());
        }
        assertThat(down).anyMatch(p -> p.value() == 50.0);
    }

    @Test
    void shortSeriesAreReturnedWhole() {
        assertThat(Lttb.downsample(series(10), 100)).hasSize(10);
        assertThat(Lttb.downsample(series(10), 0)).hasSize(10);
        assertThat(Lttb.downsample(series(10), 3)).hasSize(3);
    }
}
