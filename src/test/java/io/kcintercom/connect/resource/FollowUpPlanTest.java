package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.COMPANIES;
import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.EVENT_SUMMARY;
import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.NOTES;
import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.TAGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.resource.ContactGroups.ContactFollowUp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FollowUpPlan}: each object's follow-ups are planned once, by name, and every result comes
 * back to its own object under its own name, whatever the neighbouring objects planned.
 */
class FollowUpPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordFactory RECORDS = new RecordFactory("t.", List.of());

    private final FollowUps followUps = new FollowUps(4, "plan-test");

    @AfterEach
    void closeFollowUps() {
        followUps.close();
    }

    @Test
    void eachResultIsReadUnderItsOwnNameWhateverTheNeighboursPlanned() {
        FollowUpPlan<ContactFollowUp, String> plan = new FollowUpPlan<>(ContactFollowUp.class);
        // a needs notes but not the event summary, b the other way round; their truncated lists differ too,
        // and the names are put in an order unlike the declaration order.
        plan.add(object("a"), requests("a", NOTES, TAGS));
        plan.add(object("b"), requests("b", EVENT_SUMMARY, COMPANIES));
        plan.add(object("c"), requests("c"));
        plan.add(object("d"), requests("d", EVENT_SUMMARY, NOTES, COMPANIES, TAGS));
        Map<String, Map<ContactFollowUp, String>> seen = Collections.synchronizedMap(new LinkedHashMap<>());

        List<RecordFactory.Group> groups = plan.start(followUps, (object, results) -> {
            Map<ContactFollowUp, String> byName = new TreeMap<>();
            for (ContactFollowUp name : ContactFollowUp.values()) {
                byName.put(name, results.orElse(name, "not planned"));
            }
            seen.put(object.get("id").asText(), byName);
            return RECORDS.group(Resource.USERS, object.get("id").asText());
        }).await();

        assertEquals(4, groups.size(), "one group per object");
        assertEquals(List.of("a", "b", "c", "d"), new ArrayList<>(seen.keySet()), "assembled in the objects' order");
        assertEquals(expected("a", TAGS, NOTES), seen.get("a"));
        assertEquals(expected("b", COMPANIES, EVENT_SUMMARY), seen.get("b"));
        assertEquals(expected("c"), seen.get("c"));
        assertEquals(expected("d", ContactFollowUp.values()), seen.get("d"));
    }

    @Test
    void requestsStartObjectByObjectInTheDeclarationOrderOfTheNames() throws Exception {
        List<String> started = Collections.synchronizedList(new ArrayList<>());
        try (FollowUps oneAtATime = new FollowUps(1, "plan-test-serial")) {
            FollowUpPlan<ContactFollowUp, String> plan = new FollowUpPlan<>(ContactFollowUp.class);
            for (String id : List.of("a", "b")) {
                Map<ContactFollowUp, Callable<String>> requests = new LinkedHashMap<>();
                for (ContactFollowUp name : List.of(EVENT_SUMMARY, NOTES, TAGS)) {
                    requests.put(name, () -> {
                        started.add(id + "/" + name);
                        return id;
                    });
                }
                plan.add(object(id), requests);
            }
            plan.start(oneAtATime, (object, results) -> RECORDS.group(Resource.USERS, "x")).await();
        }
        assertEquals(List.of("a/TAGS", "a/NOTES", "a/EVENT_SUMMARY", "b/TAGS", "b/NOTES", "b/EVENT_SUMMARY"),
                started);
    }

    @Test
    void aNullResultIsStillPlannedAndDistinctFromANameNotPlanned() {
        FollowUpPlan<ContactFollowUp, String> plan = new FollowUpPlan<>(ContactFollowUp.class);
        Map<ContactFollowUp, Callable<String>> requests = new LinkedHashMap<>();
        requests.put(NOTES, () -> null);
        plan.add(object("a"), requests);
        List<FollowUpPlan.Results<ContactFollowUp, String>> seen = new ArrayList<>();

        plan.start(followUps, (object, results) -> {
            seen.add(results);
            return RECORDS.group(Resource.USERS, "a");
        }).await();

        FollowUpPlan.Results<ContactFollowUp, String> results = seen.get(0);
        assertTrue(results.planned(NOTES));
        assertNull(results.orElse(NOTES, "fallback"), "the request's own null, not the fallback");
        assertFalse(results.planned(COMPANIES));
        assertEquals("fallback", results.orElseGet(COMPANIES, () -> "fallback"));
    }

    @Test
    void aFailedFollowUpFailsThePageWithoutAssemblingIt() {
        FollowUpPlan<ContactFollowUp, String> plan = new FollowUpPlan<>(ContactFollowUp.class);
        IllegalStateException failure = new IllegalStateException("notes of b failed");
        plan.add(object("a"), requests("a", TAGS));
        Map<ContactFollowUp, Callable<String>> failing = new LinkedHashMap<>();
        failing.put(NOTES, () -> {
            throw failure;
        });
        plan.add(object("b"), failing);
        List<JsonNode> assembled = new ArrayList<>();

        PendingGroups pending = plan.start(followUps, (object, results) -> {
            assembled.add(object);
            return RECORDS.group(Resource.USERS, "x");
        });

        assertSame(failure, assertThrows(IllegalStateException.class, pending::await));
        assertEquals(List.of(), assembled);
    }

    private static JsonNode object(String id) {
        return JSON.createObjectNode().put("id", id);
    }

    /** Requests that answer "{id}/{name}", put in the order given. */
    private static Map<ContactFollowUp, Callable<String>> requests(String id, ContactFollowUp... names) {
        Map<ContactFollowUp, Callable<String>> requests = new LinkedHashMap<>();
        for (ContactFollowUp name : names) {
            requests.put(name, () -> id + "/" + name);
        }
        return requests;
    }

    private static Map<ContactFollowUp, String> expected(String id, ContactFollowUp... planned) {
        Map<ContactFollowUp, String> byName = new TreeMap<>();
        for (ContactFollowUp name : ContactFollowUp.values()) {
            byName.put(name, "not planned");
        }
        for (ContactFollowUp name : planned) {
            byName.put(name, id + "/" + name);
        }
        return byName;
    }
}
