package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.logging.LogContext;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fetches the pages of a search. The next page can be requested ahead ({@link #prefetch}), on a
 * thread of its own, as soon as its cursor is known, so Intercom's latency overlaps the reader's
 * work on the current page; {@link #fetch} then hands it over instead of asking again.
 */
final class SearchPages implements AutoCloseable {
    private final IntercomClient client;
    private final String path;
    private final SearchQuery query;
    private final ExecutorService prefetcher;
    /** The page requested ahead, or null. */
    private Prefetch prefetch;

    SearchPages(Resource resource, IntercomClient client, String path, SearchQuery query) {
        this.client = client;
        this.path = path;
        this.query = query;
        this.prefetcher = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "intercom-search-" + resource.id());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The answer to the page at this cursor of a pass from {@code passFrom} (newest first or
     * oldest first): the one requested
     * ahead when it is that page (a prefetch of another page is cancelled), else requested now.
     *
     * @param context where the pass stands, for the client's messages
     */
    JsonNode fetch(long passFrom, boolean newestFirst, String cursor, String context) {
        Prefetch prefetched = prefetch;
        prefetch = null;
        if (prefetched != null) {
            if (prefetched.passFrom() == passFrom && prefetched.newestFirst() == newestFirst
                    && Objects.equals(prefetched.cursor(), cursor)) {
                return FollowUps.resultOf(prefetched.answer());
            }
            prefetched.answer().cancel(true);
        }
        return client.post(path, query.body(passFrom, newestFirst, cursor), context);
    }

    /** Requests the page at this cursor now, so it is on its way while the current page is processed. */
    void prefetch(long passFrom, boolean newestFirst, String cursor, String context) {
        JsonNode body = query.body(passFrom, newestFirst, cursor);
        prefetch = new Prefetch(passFrom, newestFirst, cursor,
                prefetcher.submit(LogContext.wrap(() -> client.post(path, body, context))));
    }

    @Override
    public void close() {
        prefetcher.shutdownNow();
    }

    private record Prefetch(long passFrom, boolean newestFirst, String cursor, Future<JsonNode> answer) {
    }
}
