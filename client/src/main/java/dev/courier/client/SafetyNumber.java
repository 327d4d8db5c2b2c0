package dev.courier.client;

/// The 60-digit safety number of a conversation, in twelve groups of five digits. Both sides
/// see the same number exactly when each holds the other's real identity key.
public record SafetyNumber(String user, String digits) {
    /// The digits in twelve groups of five, as users compare them.
    public String grouped() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < digits.length(); i += 5) {
            if (i > 0) sb.append(i % 20 == 0 ? "\n" : " ");
            sb.append(digits, i, Math.min(i + 5, digits.length()));
        }
        return sb.toString();
    }
}
