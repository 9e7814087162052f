package io.kcintercom.connect.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;

/**
 * The HTTP calls of one client that have started and are not over, so that stopping the task
 * cancels them at once instead of leaving them to run until their timeout (up to twice
 * {@code request.timeout.ms}), spending rate-limit budget or holding the companies scroll.
 */
final class InFlightCalls {
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    /**
     * Tracks the call until the returned handle is closed: after its body is read, since a body
     * can be slow too. A call started after {@link #cancelAll} is cancelled at once.
     */
    Tracked track(Call call) {
        calls.add(call);
        // After the add: cancelAll either sees this call or has set the flag before this read.
        if (cancelled) {
            call.cancel();
        }
        return () -> calls.remove(call);
    }

    /** Cancels every call in flight and every later one: each fails with an IOException. */
    void cancelAll() {
        cancelled = true;
        calls.forEach(Call::cancel);
    }

    int size() {
        return calls.size();
    }

    /** The end of a tracked call, closed when its response has been read. */
    interface Tracked extends AutoCloseable {
        @Override
        void close();
    }
}
