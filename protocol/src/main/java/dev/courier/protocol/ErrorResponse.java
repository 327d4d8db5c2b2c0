package dev.courier.protocol;

/// Body of every error answer: a stable machine-readable `code` and a human `message`.
public record ErrorResponse(String code, String message) {}
