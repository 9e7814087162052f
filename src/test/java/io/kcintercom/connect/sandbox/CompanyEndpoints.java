package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.sandbox.Model.Company;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The companies endpoints beside the scroll: GET /companies (filtered by company_id, name, tag_id or
 * segment_id), POST /companies/list (by last_request_at, without companies that have no users, capped at
 * 10,000) and GET /companies/{id}. Register after the scroll, whose literal path {id} would match too.
 */
final class CompanyEndpoints {

    private static final int DEFAULT_PER_PAGE = 15;
    /** POST /companies/list serves no company past this many; the scroll is the way beyond. */
    private static final int LIST_CAP = 10_000;

    private final SampleWorkspace ws;

    CompanyEndpoints(SampleWorkspace ws) {
        this.ws = ws;
    }

    void register(Routes routes) {
        routes.add("GET", "/companies", this::companies)
                .add("POST", "/companies/list", this::list)
                .add("GET", "/companies/{id}", r -> ws.companyJson(company(r.id())));
    }

    /** company_id and name name one company (404 when none); tag_id and segment_id filter the whole list. */
    private JsonNode companies(ApiRequest r) {
        Predicate<Company> filter = c -> true;
        if (r.param("company_id") != null) {
            filter = filter.and(c -> r.param("company_id").equals(c.companyId()));
        }
        if (r.param("name") != null) {
            filter = filter.and(c -> r.param("name").equals(c.name()));
        }
        if (r.param("tag_id") != null) {
            filter = filter.and(c -> c.tagIds().contains(r.param("tag_id")));
        }
        if (r.param("segment_id") != null) {
            filter = filter.and(c -> c.segmentIds().contains(r.param("segment_id")));
        }
        List<JsonNode> matches = ws.companyRecords().stream().filter(filter).map(ws::companyJson).toList();
        if (matches.isEmpty() && (r.param("company_id") != null || r.param("name") != null)) {
            throw notFound();
        }
        return PageNumberList.of(matches, r, DEFAULT_PER_PAGE).pagesThenTotal();
    }

    private JsonNode list(ApiRequest r) {
        String order = r.param("order") == null ? "desc" : r.param("order");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw ApiError.invalid("order must be asc or desc");
        }
        int perPage = r.intParam("per_page", DEFAULT_PER_PAGE, SearchRequest.MAX_PER_PAGE);
        int page = r.intParam("page", 1, Integer.MAX_VALUE - 1);
        if ((long) (page - 1) * perPage >= LIST_CAP) {
            throw ApiError.invalid("page limit reached, please use scroll API");
        }
        // Companies never seen making a request sort as the oldest.
        Comparator<Company> byLastRequest = Comparator.comparingLong(
                (Company c) -> c.lastRequestAt() == null ? Long.MIN_VALUE : c.lastRequestAt())
                .thenComparing(Company::id, Ids.ORDER);
        List<JsonNode> listed = ws.companyRecords().stream().filter(c -> c.userCount() > 0)
                .sorted(order.equals("asc") ? byLastRequest : byLastRequest.reversed())
                .limit(LIST_CAP).map(ws::companyJson).toList();
        return PageNumberList.of(listed, r, DEFAULT_PER_PAGE).pagesThenTotal();
    }

    private Company company(String id) {
        Company c = ws.companyRecord(id);
        if (c == null) {
            throw notFound();
        }
        return c;
    }

    private static ApiError notFound() {
        return new ApiError(404, "company_not_found", "Company Not Found");
    }
}
