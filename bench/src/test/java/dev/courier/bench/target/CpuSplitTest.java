package dev.courier.bench.target;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/// The arithmetic of a step's CPU split, on samples made by hand.
class CpuSplitTest {
    @Test
    void machineIdleAndStealAreSharesOfAllTicksAndTheRestIsPerSend() {
        var before = new CpuSample(0, new CpuSample.Ticks(10, 10), new CpuSample.Ticks(100, 50), 1_000_000L, 0L,
                new CpuSample.Machine(1_000, 500, 100, 2_000, 40), new WriterCommits(100, 300, 0.5, 10));
        // One second later: 200 ticks of the two cores' 200 went as user 60, system 30 + softirq 10,
        // idle 50, steal 50; 1,000 sends accepted in 400 commits of 2,400 write units, taking
        // 0.6 s in all, 150 of them unsynced.
        var after = new CpuSample(1_000_000_000L, new CpuSample.Ticks(20, 15), new CpuSample.Ticks(130, 70), 41_000_000L, 5_000_000L,
                new CpuSample.Machine(1_060, 530, 110, 2_050, 90), new WriterCommits(500, 2_700, 1.1, 160));

        CpuSplit split = CpuSplit.between(before, after, 1_000);

        assertThat(split.machineIdlePercent()).isEqualTo(25.0);
        assertThat(split.machineStealPercent()).isEqualTo(25.0);
        assertThat(split.machineUserUs()).as("60 ticks of 10 ms over 1,000 sends").isEqualTo(600.0);
        assertThat(split.machineKernelUs()).as("system and softirq").isEqualTo(400.0);
        assertThat(split.serverUserUs()).isEqualTo(300.0);
        assertThat(split.serverKernelUs()).isEqualTo(200.0);
        assertThat(split.generatorUs()).isEqualTo(150.0);
        assertThat(split.writerUs()).as("40 ms of writer time").isEqualTo(40.0);
        assertThat(split.writerWaitMsPerSecond()).isEqualTo(5.0);
        assertThat(split.commitsPerSecond()).isEqualTo(400.0);
        assertThat(split.unitsPerCommit()).isEqualTo(6.0);
        assertThat(split.meanCommitMs()).isEqualTo(1.5);
        assertThat(split.fsyncsPerSend()).as("250 synced commits for 1,000 sends").isEqualTo(0.25);
    }

    @Test
    void aServerWithoutSqliteCommitsLeavesTheCommitFiguresOut() {
        var before = new CpuSample(0, new CpuSample.Ticks(0, 0), null, null, null, null, null);
        var after = new CpuSample(1_000_000_000L, new CpuSample.Ticks(10, 0), null, null, null, null, null);
        CpuSplit split = CpuSplit.between(before, after, 100);
        assertThat(split.generatorUs()).isEqualTo(1000.0);
        assertThat(split.commitsPerSecond()).isNull();
        assertThat(split.fsyncsPerSend()).isNull();
    }

    @Test
    void noSendsMeansNoSplit() {
        var sample = new CpuSample(0, new CpuSample.Ticks(0, 0), null, null, null, new CpuSample.Machine(0, 0, 0, 0, 0), null);
        assertThat(CpuSplit.between(sample, sample, 0)).isNull();
    }
}
