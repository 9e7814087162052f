package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Timestamps;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental reader over one of Intercom's search endpoints ({@code POST /contacts/search},
 * {@code POST /conversations/search}), sorted by {@code updated_at} ascending, 150 per page.
 *
 * <p>Each pass asks for everything updated at or after the position's {@code updated_at}
 * ({@code updated_at > W OR updated_at = W}, which on contact search means "from the start of
 * W's day" and on exact-second search "from W"), drops on the client what the (updated_at, id)
 * position already covers, and stops at {@code now - search.delay.ms}: newer objects may not be
 * indexed yet and wait for the next pass. Objects are emitted one whole second at a time, sorted
 * by id within the second, so the (updated_at, id) position is exact even when a second spans
 * pages.
 *
 * <p>Pages are pipelined so neither Intercom's latency nor the reader's own work idles the rate
 * limit: the next search page is requested (and parsed, on the prefetch thread) as soon as the
 * current page's cursor is known, and a page's follow-up requests are started while the previous
 * page's are still running; groups are still emitted strictly in page order, and at most
 * {@value #PAGES_IN_PROGRESS} pages wait for their follow-ups at a time.
 */
public final class SearchReader implements ResourceReader {
    private static final Logger log = LoggerFactory.getLogger(SearchReader.class);
    static final int PAGE_SIZE = 150;
    private static final Comparator<Buffered> ORDER =
            Comparator.comparingLong(Buffered::updatedAt).thenComparing(Buffered::id);

    /** Pages whose follow-ups may run at once: enough to keep requests flowing at a page's end. */
    static final int PAGES_IN_PROGRESS = 2;

    private final Resource resource;
    private final IntercomClient client;
    private final String path;
    private final String itemsKey;
    private final JsonNode baseFilter;
    private final GroupBuilder groupBuilder;
    private final long pollIntervalMs;
    private final long searchDelayMs;
    private final LongSupplier clock;

    /** Where reading has got to: past every object whose follow-ups have been started. */
    private volatile SearchPosition position;
    /** The updated_at of the last object whose records were handed out, for the lag metric. */
    private volatile long emittedUpdatedAt;
    private boolean resumeStoredCursor;
    private final Deque<List<SourceRecord>> ready = new ArrayDeque<>();
    private final Deque<PageInProgress> inProgress = new ArrayDeque<>();
    private final ExecutorService prefetcher;
    private Prefetch prefetch;
    private final Map<String, Buffered> incompleteSecond = new LinkedHashMap<>();
    private final Map<Long, String> firstCursorOfSecond = new LinkedHashMap<>();
    private boolean passRunning;
    private long passFrom;
    private String nextCursor;
    private long cutoff;
    private long nextPassAtMs;
    private int pagesThisPass;
    private long objectsThisPass;

    /**
     * @param baseFilter a query clause ANDed with the updated_at condition (e.g. the role), or null
     */
    public SearchReader(Resource resource, IntercomClient client, String path, String itemsKey,
                        JsonNode baseFilter, GroupBuilder groupBuilder, SearchPosition start,
                        long pollIntervalMs, long searchDelayMs, LongSupplier clock) {
        this.resource = resource;
        this.client = client;
        this.path = path;
        this.itemsKey = itemsKey;
        this.baseFilter = baseFilter;
        this.groupBuilder = groupBuilder;
        this.position = start;
        this.emittedUpdatedAt = start.updatedAt();
        this.resumeStoredCursor = start.cursor() != null;
        this.pollIntervalMs = pollIntervalMs;
        this.searchDelayMs = searchDelayMs;
        this.clock = clock;
        this.prefetcher = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "intercom-search-" + resource.id());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public Resource resource() {
        return resource;
    }

    public SearchPosition position() {
        return position;
    }

    @Override
    public long watermarkSeconds() {
        return emittedUpdatedAt;
    }

    @Override
    public Map<String, LongSupplier> counters() {
        return groupBuilder.counters();
    }

    @Override
    public long nextDueMs() {
        return ready.isEmpty() && inProgress.isEmpty() && !passRunning ? nextPassAtMs : 0L;
    }

    @Override
    public List<SourceRecord> poll(int maxRecords) {
        if (ready.isEmpty()) {
            advance();
        }
        List<SourceRecord> batch = new ArrayList<>();
        while (!ready.isEmpty() && (batch.isEmpty() || batch.size() + ready.peek().size() <= maxRecords)) {
            batch.addAll(ready.poll());
        }
        return batch;
    }

    @Override
    public void close() {
        prefetcher.shutdownNow();
    }

    /**
     * One step: read the next page unless enough pages are in progress or the pass is over, then
     * emit the oldest page in progress if it is due: its follow-ups are done, or waiting for them
     * is all there is left to do.
     */
    private void advance() {
        if (!oldestIsDue()) {
            if (!passRunning && inProgress.isEmpty()) {
                if (clock.getAsLong() < nextPassAtMs) {
                    return;
                }
                startPass();
            }
            if (passRunning) {
                readPage();
            }
        }
        if (oldestIsDue()) {
            emit(inProgress.poll());
        }
    }

    private boolean oldestIsDue() {
        PageInProgress oldest = inProgress.peek();
        return oldest != null
                && (inProgress.size() >= PAGES_IN_PROGRESS || !passRunning || oldest.groups().isDone());
    }

    private void startPass() {
        passRunning = true;
        pagesThisPass = 0;
        objectsThisPass = 0;
        cutoff = (clock.getAsLong() - searchDelayMs) / 1000;
        incompleteSecond.clear();
        firstCursorOfSecond.clear();
        if (resumeStoredCursor) {
            passFrom = position.passFrom();
            nextCursor = position.cursor();
            resumeStoredCursor = false;
            log.info("{}: resuming the interrupted pass from {} at its stored cursor", resource.id(), position);
        } else {
            passFrom = position.updatedAt();
            nextCursor = null;
            log.debug("{}: starting a pass from {}", resource.id(), position);
        }
    }

    private void readPage() {
        String pageCursor = nextCursor;
        JsonNode page;
        try {
            page = fetchPage(pageCursor);
        } catch (IntercomApiException e) {
            if (pageCursor != null && (e.status() == 400 || e.status() == 404)) {
                // The stored cursor no longer works: restart from the (updated_at, id) position.
                log.warn("{}: the search cursor was rejected ({}); restarting the pass from {}",
                        resource.id(), e.getMessage(), position);
                passFrom = position.updatedAt();
                nextCursor = null;
                incompleteSecond.clear();
                firstCursorOfSecond.clear();
                return;
            }
            throw e;
        }
        pagesThisPass++;
        JsonNode items = page.get(itemsKey);
        if (items == null || !items.isArray()) {
            throw new DataException(resource.id() + ": search response has no '" + itemsKey + "' array at "
                    + context(pageCursor));
        }
        String cursor = nextCursor(page);
        boolean lastPage = cursor == null || cursor.equals(pageCursor) || items.isEmpty();
        long pageMaxSecond = Long.MIN_VALUE;
        for (JsonNode item : items) {
            pageMaxSecond = Math.max(pageMaxSecond, Timestamps.epochSeconds(item.get("updated_at")));
        }
        boolean passEnds = lastPage || pageMaxSecond > cutoff;
        for (JsonNode item : items) {
            Buffered buffered = buffered(item, pageCursor);
            if (position.covers(buffered.updatedAt, buffered.id)) {
                continue;
            }
            incompleteSecond.put(buffered.id, buffered);
            // Not putIfAbsent: the first page's cursor is null, which putIfAbsent would overwrite.
            if (!firstCursorOfSecond.containsKey(buffered.updatedAt)) {
                firstCursorOfSecond.put(buffered.updatedAt, pageCursor);
            }
        }
        // Everything below the page's last second is complete; at the end of the pass, all is.
        long completeBelow = passEnds ? Long.MAX_VALUE : pageMaxSecond;
        List<Buffered> complete = new ArrayList<>();
        incompleteSecond.values().removeIf(b -> {
            if (b.updatedAt > cutoff) {
                return true; // the next pass reads it, once the index has surely caught up
            }
            if (b.updatedAt < completeBelow) {
                complete.add(b);
                return true;
            }
            return false;
        });
        complete.sort(ORDER);
        start(complete);
        if (passEnds) {
            endPass();
        } else {
            nextCursor = cursor;
            startPrefetch(cursor);
        }
    }

    /**
     * Starts the follow-ups of a page's complete objects and moves the position past them; their
     * records, each carrying the position before and after its object, are emitted by
     * {@link #emit} once the follow-ups are done.
     */
    private void start(List<Buffered> complete) {
        if (complete.isEmpty()) {
            return;
        }
        List<JsonNode> objects = complete.stream().map(Buffered::object).toList();
        PendingGroups groups = groupBuilder.start(objects);
        List<SearchPosition> positions = new ArrayList<>(complete.size() + 1);
        positions.add(position);
        for (Buffered b : complete) {
            position = new SearchPosition(b.updatedAt, b.id, passFrom, firstCursorOfSecond.get(b.updatedAt));
            positions.add(position);
        }
        inProgress.add(new PageInProgress(groups, positions));
        objectsThisPass += complete.size();
        long last = complete.get(complete.size() - 1).updatedAt;
        firstCursorOfSecond.keySet().removeIf(second -> second < last);
    }

    private void emit(PageInProgress page) {
        List<RecordFactory.Group> groups = page.groups().await();
        for (int i = 0; i < groups.size(); i++) {
            RecordFactory.Group group = groups.get(i);
            if (!group.isEmpty()) {
                ready.add(group.toRecords(page.positions().get(i).toMap(), page.positions().get(i + 1).toMap()));
            }
        }
        emittedUpdatedAt = page.positions().get(page.positions().size() - 1).updatedAt();
    }

    /** The page at this cursor of the current pass: the prefetched one, or fetched now. */
    private JsonNode fetchPage(String cursor) {
        Prefetch prefetched = prefetch;
        prefetch = null;
        if (prefetched != null) {
            if (prefetched.passFrom() == passFrom && Objects.equals(prefetched.cursor(), cursor)) {
                return prefetched.await();
            }
            prefetched.page().cancel(true);
        }
        return client.post(path, searchBody(cursor), context(cursor));
    }

    /** Requests the next page now, so it is on its way while this page's objects are processed. */
    private void startPrefetch(String cursor) {
        JsonNode body = searchBody(cursor);
        String context = context(cursor);
        prefetch = new Prefetch(passFrom, cursor,
                prefetcher.submit(LogContext.wrap(() -> client.post(path, body, context))));
    }

    private void endPass() {
        passRunning = false;
        nextCursor = null;
        incompleteSecond.clear();
        firstCursorOfSecond.clear();
        nextPassAtMs = clock.getAsLong() + pollIntervalMs;
        // Once caught up, a later restart starts a fresh pass from the position, not the old cursor.
        position = new SearchPosition(position.updatedAt(), position.id(), position.updatedAt(), null);
        log.info("{}: pass done, {} page(s), {} object(s) read, position {}", resource.id(), pagesThisPass,
                objectsThisPass, position);
    }

    private JsonNode searchBody(String cursor) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode body = f.objectNode();
        List<JsonNode> clauses = new ArrayList<>();
        if (baseFilter != null) {
            clauses.add(baseFilter);
        }
        if (passFrom > 0) {
            ArrayNode either = f.arrayNode()
                    .add(condition("updated_at", ">", passFrom))
                    .add(condition("updated_at", "=", passFrom));
            clauses.add(f.objectNode().put("operator", "OR").set("value", either));
        }
        JsonNode query;
        if (clauses.isEmpty()) {
            // Intercom requires a query: match every object.
            query = condition("updated_at", ">", 0);
        } else if (clauses.size() == 1) {
            query = clauses.get(0);
        } else {
            ArrayNode all = f.arrayNode();
            clauses.forEach(all::add);
            query = f.objectNode().put("operator", "AND").set("value", all);
        }
        body.set("query", query);
        ObjectNode pagination = body.putObject("pagination").put("per_page", PAGE_SIZE);
        if (cursor != null) {
            pagination.put("starting_after", cursor);
        }
        body.putObject("sort").put("field", "updated_at").put("order", "ascending");
        return body;
    }

    static ObjectNode condition(String field, String operator, long value) {
        return JsonNodeFactory.instance.objectNode().put("field", field).put("operator", operator).put("value", value);
    }

    static ObjectNode condition(String field, String operator, String value) {
        return JsonNodeFactory.instance.objectNode().put("field", field).put("operator", operator).put("value", value);
    }

    /** The cursor of the next page, from {@code pages.next.starting_after}; null on the last page. */
    static String nextCursor(JsonNode page) {
        JsonNode next = JsonPaths.at(page, "pages.next");
        if (next == null || next.isNull()) {
            return null;
        }
        if (next.isObject()) {
            JsonNode after = next.get("starting_after");
            return after == null || after.isNull() || after.asText().isEmpty() ? null : after.asText();
        }
        return null;
    }

    private Buffered buffered(JsonNode item, String pageCursor) {
        String id = JsonPaths.text(item, "id");
        long updatedAt = Timestamps.epochSeconds(item.get("updated_at"));
        if (id == null || updatedAt < 0) {
            throw new DataException(resource.id() + ": search result without a usable id and updated_at at "
                    + context(pageCursor) + ": " + abbreviate(item.toString()));
        }
        return new Buffered(id, updatedAt, item);
    }

    private String context(String cursor) {
        return resource.id() + " pass from " + passFrom + ", position " + position
                + (cursor == null ? ", first page" : ", cursor " + cursor);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }

    private record Buffered(String id, long updatedAt, JsonNode object) {
    }

    /** A page whose follow-ups are running, with the position before each object and after the last. */
    private record PageInProgress(PendingGroups groups, List<SearchPosition> positions) {
    }

    private record Prefetch(long passFrom, String cursor, Future<JsonNode> page) {
        JsonNode await() {
            return FollowUps.resultOf(page);
        }
    }
}
