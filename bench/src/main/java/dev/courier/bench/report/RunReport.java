package dev.courier.bench.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/// Everything one scenario run produced: what was run where (`environment`, `server`,
/// `params`), the scenario's own `result` record, and warnings in `notes` (an unmet offered rate,
/// a file-descriptor limit that bounded the run). The tables and charts are derived views of
/// `result` for the terminal and the HTML report, so the JSON file leaves them out.
public record RunReport(String scenario, String startedAt, String command, Map<String, Object> environment, String server,
                        Object params, Object result, List<String> notes,
                        @JsonIgnore List<Table> tables, @JsonIgnore List<Chart> charts) {}
