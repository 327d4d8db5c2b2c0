package dev.courier.bench.scenario;

import dev.courier.bench.report.RunReport;

/// One benchmark: runs against what its [Bench] holds and reports.
public interface Scenario {
    RunReport run(Bench bench);
}
