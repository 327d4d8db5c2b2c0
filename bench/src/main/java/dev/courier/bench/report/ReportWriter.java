package dev.courier.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/// Writes a run's three outputs: the table on the terminal, `<scenario>-<time>.json` and
/// `<scenario>-<time>.html` in the output directory.
public final class ReportWriter {
    /// Durations are written in ISO-8601 (`"PT20S"`), which says its unit.
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new SimpleModule().addSerializer(Duration.class, ToStringSerializer.instance)
                    .addSerializer(Path.class, ToStringSerializer.instance));
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;
    private final PrintStream out;

    public ReportWriter(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    /// Prints and writes `report`; returns the JSON file.
    public Path write(RunReport report) {
        for (Table t : report.tables()) out.println(t.render());
        for (String note : report.notes()) out.println("note: " + note);
        String base = report.scenario() + "-" + LocalDateTime.now().format(STAMP);
        Path json = dir.resolve(base + ".json");
        Path html = dir.resolve(base + ".html");
        try {
            Files.createDirectories(dir);
            String text = JSON.writeValueAsString(report);
            Files.writeString(json, text);
            Files.writeString(html, HtmlReport.render(report, text));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the results to " + dir + ": " + e.getMessage(), e);
        }
        out.println("results: " + json);
        out.println("report:  " + html);
        return json;
    }
}
