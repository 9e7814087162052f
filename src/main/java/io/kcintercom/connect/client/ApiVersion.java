package io.kcintercom.connect.client;

/**
 * The configured {@code intercom.api.version}, and what the connector may rely on under it. A
 * numbered version ("2.11", "2.17") compares by major and minor; any other name ("Unstable",
 * "Preview") is taken as newer than every numbered one, as Intercom ships changes there first.
 */
public record ApiVersion(String name, int major, int minor) {

    /** Versions without a number sort above every numbered one. */
    private static final int NEWEST = Integer.MAX_VALUE;

    public static ApiVersion of(String name) {
        String trimmed = name.trim();
        String[] parts = trimmed.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return new ApiVersion(trimmed, major, minor);
        } catch (NumberFormatException e) {
            return new ApiVersion(trimmed, NEWEST, NEWEST);
        }
    }

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    /** {@code GET /conversations/deleted} exists: 2.16 and later (earlier ones answer 400). */
    public boolean listsDeletedConversations() {
        return atLeast(2, 16);
    }

    /**
     * Contact search compares standard timestamps on the exact UTC second: 2.17 and later. Earlier
     * versions match the whole calendar day in the workspace's time zone.
     */
    public boolean exactSecondContactSearch() {
        return atLeast(2, 17);
    }

    @Override
    public String toString() {
        return name;
    }
}
