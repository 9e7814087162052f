package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Selects one search page from records sorted ascending by (sort value, id): a binary search finds where the
 * cursor points, and the page is the next per_page matches from there (walking backwards for descending).
 * total_count comes from the view, which counts each query once per index snapshot.
 */
final class SearchEngine {

    private SearchEngine() {
    }

    record Page<T>(List<T> items, int totalCount, boolean hasMore, int pageNumber, int perPage) {

        /** {type:"pages", page, next:{per_page, starting_after}, per_page, total_pages}; next only if hasMore. */
        ObjectNode pagesNode(ToLongFunction<T> sortSeconds, Function<T, String> idOf) {
            ObjectNode pages = Json.typed("pages");
            pages.put("page", pageNumber);
            if (hasMore) {
                T last = items.get(items.size() - 1);
                SearchCursor next = new SearchCursor(sortSeconds.applyAsLong(last) * 1000, idOf.apply(last), pageNumber + 1);
                pages.set("next", Json.object().put("per_page", perPage).put("starting_after", next.encode()));
            }
            pages.put("per_page", perPage);
            pages.put("total_pages", (totalCount + perPage - 1) / perPage);
            return pages;
        }
    }

    /** @param queryKey identifies what {@code filter} matches, for the view's count cache */
    static <T> Page<T> page(SearchIndex.View<T> view, String queryKey, Predicate<T> filter, ToLongFunction<T> sortSeconds,
                            Function<T, String> idOf, SearchRequest request) {
        List<T> ascending = view.ascending();
        int total = view.count(queryKey, filter);
        int step = request.ascending() ? 1 : -1;
        int start = firstPastCursor(ascending, sortSeconds, idOf, request.after(), request.ascending());
        List<T> items = new ArrayList<>(request.perPage());
        boolean hasMore = false;
        for (int i = start; i >= 0 && i < ascending.size(); i += step) {
            T t = ascending.get(i);
            if (filter.test(t)) {
                if (items.size() == request.perPage()) {
                    hasMore = true;
                    break;
                }
                items.add(t);
            }
        }
        int pageNumber = request.after() == null ? 1 : request.after().page();
        return new Page<>(items, total, hasMore, pageNumber, request.perPage());
    }

    /** Index of the first record after the cursor in the walking direction (-1 or size() when none). */
    private static <T> int firstPastCursor(List<T> ascending, ToLongFunction<T> sortSeconds, Function<T, String> idOf,
                                           SearchCursor after, boolean forward) {
        if (after == null) {
            return forward ? 0 : ascending.size() - 1;
        }
        // lo = number of records at or before the cursor position in ascending order
        int lo = 0;
        int hi = ascending.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareToCursor(ascending.get(mid), sortSeconds, idOf, after) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (forward) {
            return lo;
        }
        // walking backwards, skip the record sitting exactly on the cursor
        int i = lo - 1;
        return i >= 0 && compareToCursor(ascending.get(i), sortSeconds, idOf, after) == 0 ? i - 1 : i;
    }

    private static <T> int compareToCursor(T t, ToLongFunction<T> sortSeconds, Function<T, String> idOf, SearchCursor c) {
        int cmp = Long.compare(sortSeconds.applyAsLong(t) * 1000, c.sortValueMillis());
        return cmp != 0 ? cmp : Ids.ORDER.compare(idOf.apply(t), c.lastId());
    }
}
