package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kcintercom.connect.client.IntercomClient;
import java.util.List;
import java.util.function.Function;

/**
 * The contacts of one role active since a second, found by a search rather than a full listing: what
 * a count-gated sweep reads to refresh event summaries when its listing stops at the first page
 * (issue 17). The query is {@code role = X AND (last_seen_at > S OR last_seen_at = S)},
 * {@value SearchQuery#PAGE_SIZE} a page, sorted by {@code updated_at} ascending, read to its last
 * page, one page a step. Contact search before API 2.17 matches dates by day, so the pages hold all of
 * S's day; each page's groups come from {@code groupsOf}, which keeps only the contacts active after
 * S ({@link EventSummaryBackfill#activeSince}).
 *
 * <p>Cost: the pages of contacts seen since S's day (one when none), plus one summary request per
 * contact active after S. The search has no {@code last_request_at} field, so a contact whose
 * {@code last_request_at} moved while its {@code last_seen_at} did not waits for the next full sweep.
 */
final class ActiveContactsSearch implements SweepStep {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Resource resource;
    private final IntercomClient client;
    private final String path;
    private final long sinceSeconds;
    private final SearchQuery query;
    private final Function<List<JsonNode>, List<RecordFactory.Group>> groupsOf;

    private String cursor;
    private boolean listed;
    private long requests;

    /**
     * @param sinceSeconds the previous sweep's second: contacts seen from its day on are listed
     * @param groupsOf     the groups of one page's contacts (those active after {@code sinceSeconds})
     */
    ActiveContactsSearch(Resource resource, IntercomClient client, String path, long sinceSeconds,
                         Function<List<JsonNode>, List<RecordFactory.Group>> groupsOf) {
        this.resource = resource;
        this.client = client;
        this.path = path;
        this.sinceSeconds = sinceSeconds;
        this.groupsOf = groupsOf;
        this.query = new SearchQuery(resource.id(), "data", NODES.objectNode().put("operator", "AND")
                .set("value", NODES.arrayNode()
                        .add(SearchQuery.roleOf(resource))
                        .add(NODES.objectNode().put("operator", "OR").set("value", NODES.arrayNode()
                                .add(SearchQuery.condition("last_seen_at", ">", sinceSeconds))
                                .add(SearchQuery.condition("last_seen_at", "=", sinceSeconds))))));
    }

    @Override
    public boolean done() {
        return listed;
    }

    @Override
    public long requests() {
        return requests;
    }

    @Override
    public List<RecordFactory.Group> step() {
        if (listed) {
            return List.of();
        }
        String context = resource.id() + " sweep: contacts active since " + sinceSeconds
                + (cursor == null ? ", first page" : ", cursor " + cursor);
        JsonNode answer = client.post(path, query.body(0, false, cursor), context);
        requests++;
        SearchQuery.Page page = query.read(answer, cursor, context);
        cursor = page.nextCursor();
        listed = cursor == null;
        return groupsOf.apply(page.hits().stream().map(SearchQuery.Hit::object).toList());
    }
}
