package io.kcintercom.connect;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: waits of about initial, 2x, 4x ... up to the cap, each
 * between half and all of its step so that tasks restarted together do not retry in step.
 */
final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private int attempts;

    Backoff(long initialMs, long maxMs) {
        this.initialMs = Math.max(1, initialMs);
        this.maxMs = Math.max(this.initialMs, maxMs);
    }

    long next() {
        long step = initialMs << Math.min(attempts, 30);
        attempts++;
        long capped = step <= 0 || step > maxMs ? maxMs : step;
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    void reset() {
        attempts = 0;
    }

    int attempts() {
        return attempts;
    }
}
