package io.kcintercom.connect.sandbox;

/**
 * The recent history of one record, newest first. Direct reads (GET by id) see the newest version at once,
 * while search sees the newest version that is older than the search index lag, like Intercom's
 * eventually consistent search index. A {@code null} value is a deletion.
 */
final class Versioned<T> {

    /** Enough history for any sensible lag; more updates inside one lag window make the record unsearchable. */
    private static final int MAX_VERSIONS = 8;

    private final T value;
    private final long changedAtMillis;
    private final Versioned<T> older;

    private Versioned(T value, long changedAtMillis, Versioned<T> older) {
        this.value = value;
        this.changedAtMillis = changedAtMillis;
        this.older = older;
    }

    /** A record that existed before anyone looked: visible to search whatever the lag. */
    static <T> Versioned<T> initial(T value) {
        return new Versioned<>(value, Long.MIN_VALUE, null);
    }

    Versioned<T> next(T newValue, long nowMillis) {
        return new Versioned<>(newValue, nowMillis, truncated(MAX_VERSIONS - 1));
    }

    /** The current value, or null when deleted. */
    T current() {
        return value;
    }

    /** What search returns at {@code nowMillis}: null when the record is deleted or not yet indexed. */
    T searchable(long nowMillis, long lagMillis) {
        long indexedUpTo = nowMillis - lagMillis;
        for (Versioned<T> v = this; v != null; v = v.older) {
            if (v.changedAtMillis <= indexedUpTo) {
                return v.value;
            }
        }
        return null;
    }

    private Versioned<T> truncated(int keep) {
        if (keep <= 0) {
            return null;
        }
        return new Versioned<>(value, changedAtMillis, older == null ? null : older.truncated(keep - 1));
    }
}
