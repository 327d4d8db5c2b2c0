package dev.courier.bench.target;

/// One weighing of the server: its JVM's own figures from `/metrics`, and the process's resident
/// set from `/proc` when the harness can see the process (null otherwise). `collected` says a full
/// GC ran just before, so the heap is live data rather than garbage.
public record MemorySample(long heapUsedBytes, long nonHeapUsedBytes, long directBufferBytes, Long rssBytes, boolean collected) {}
