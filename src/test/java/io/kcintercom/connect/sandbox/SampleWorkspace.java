package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import io.kcintercom.connect.sandbox.Model.Admin;
import io.kcintercom.connect.sandbox.Model.Company;
import io.kcintercom.connect.sandbox.Model.Contact;
import io.kcintercom.connect.sandbox.Model.Conversation;
import io.kcintercom.connect.sandbox.Model.Note;
import io.kcintercom.connect.sandbox.Model.Part;
import io.kcintercom.connect.sandbox.Model.Segment;
import io.kcintercom.connect.sandbox.Model.SocialProfile;
import io.kcintercom.connect.sandbox.Model.Tag;
import io.kcintercom.connect.sandbox.Model.Team;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A deterministic, in-memory Intercom workspace: what {@link FakeIntercom} serves and what tests compute their
 * expected rows from. Reads are lock-free over immutable records; mutations are serialised by one lock, so it
 * is safe to mutate while the server is serving.
 *
 * <p>Determinism: the same seed, {@link Sizes} and generation time always produce identical JSON. The
 * two-argument {@link #generate(long, Sizes)} uses "now minus one hour" as generation time, so pass an explicit
 * time when you compare two generations.
 */
public final class SampleWorkspace {

    /** How much to generate. Use {@link #builder()}; {@link #defaults()} suits integration tests. */
    public record Sizes(int users, int leads, int companies, int admins, int teams, int tags, int segments,
                        int conversations, int maxPartsPerConversation, boolean includeTruncatedConversation,
                        int notesPerContact, int eventsPerContact, int tagsPerContact, int companiesPerContact,
                        int heavyContactEvery) {

        public Sizes {
            if (admins < 1) {
                throw new IllegalArgumentException("a workspace needs at least one admin (the token's owner)");
            }
            if (maxPartsPerConversation < 1) {
                throw new IllegalArgumentException("every conversation has at least one part");
            }
            if (users < 0 || leads < 0 || companies < 0 || teams < 0 || tags < 0 || segments < 0 || conversations < 0
                    || notesPerContact < 0 || eventsPerContact < 0 || tagsPerContact < 0 || companiesPerContact < 0
                    || heavyContactEvery < 0) {
                throw new IllegalArgumentException("sizes must not be negative");
            }
        }

        public static Sizes defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder().users(users).leads(leads).companies(companies).admins(admins).teams(teams)
                    .tags(tags).segments(segments).conversations(conversations)
                    .maxPartsPerConversation(maxPartsPerConversation)
                    .includeTruncatedConversation(includeTruncatedConversation).notesPerContact(notesPerContact)
                    .eventsPerContact(eventsPerContact).tagsPerContact(tagsPerContact)
                    .companiesPerContact(companiesPerContact).heavyContactEvery(heavyContactEvery);
        }

        /**
         * Defaults: 300 users, 120 leads, 60 companies, 8 admins, 3 teams, 30 tags, 6 segments, 200
         * conversations of 1..12 parts, up to 3 notes / 4 event summaries / 4 tags / 2 companies per contact,
         * and every 50th user and lead (the first of each included) "heavy": 11+ tags, 11+ companies and 12
         * notes, so inline lists are truncated (has_more). The first user has 17 companies and 55 notes, two pages
         * of each sub-resource.
         */
        public static final class Builder {
            private int users = 300;
            private int leads = 120;
            private int companies = 60;
            private int admins = 8;
            private int teams = 3;
            private int tags = 30;
            private int segments = 6;
            private int conversations = 200;
            private int maxPartsPerConversation = 12;
            private boolean includeTruncatedConversation;
            private int notesPerContact = 3;
            private int eventsPerContact = 4;
            private int tagsPerContact = 4;
            private int companiesPerContact = 2;
            private int heavyContactEvery = 50;

            public Builder users(int v) {
                users = v;
                return this;
            }

            public Builder leads(int v) {
                leads = v;
                return this;
            }

            public Builder companies(int v) {
                companies = v;
                return this;
            }

            public Builder admins(int v) {
                admins = v;
                return this;
            }

            public Builder teams(int v) {
                teams = v;
                return this;
            }

            public Builder tags(int v) {
                tags = v;
                return this;
            }

            public Builder segments(int v) {
                segments = v;
                return this;
            }

            public Builder conversations(int v) {
                conversations = v;
                return this;
            }

            public Builder maxPartsPerConversation(int v) {
                maxPartsPerConversation = v;
                return this;
            }

            /** Makes the first conversation 520 parts long, beyond the API's 500-part cap. */
            public Builder includeTruncatedConversation(boolean v) {
                includeTruncatedConversation = v;
                return this;
            }

            public Builder notesPerContact(int v) {
                notesPerContact = v;
                return this;
            }

            public Builder eventsPerContact(int v) {
                eventsPerContact = v;
                return this;
            }

            public Builder tagsPerContact(int v) {
                tagsPerContact = v;
                return this;
            }

            public Builder companiesPerContact(int v) {
                companiesPerContact = v;
                return this;
            }

            /** 0 = no heavy contacts. */
            public Builder heavyContactEvery(int v) {
                heavyContactEvery = v;
                return this;
            }

            public Sizes build() {
                return new Sizes(users, leads, companies, admins, teams, tags, segments, conversations,
                        maxPartsPerConversation, includeTruncatedConversation, notesPerContact, eventsPerContact,
                        tagsPerContact, companiesPerContact, heavyContactEvery);
            }
        }
    }

    private final long seed;
    private final Sizes sizes;
    private final Instant generatedAt;
    private final String appId;
    private final WorkspaceGenerator factory;
    private final List<Admin> admins;
    private final Map<String, Admin> adminsById;
    private final List<Team> teams;
    private final List<Segment> segments;
    private final Map<String, Segment> segmentsById;
    private final NavigableMap<String, Tag> tags = new ConcurrentSkipListMap<>(Ids.ORDER);
    private final NavigableMap<String, Company> companies = new ConcurrentSkipListMap<>(Ids.ORDER);
    private final NavigableMap<String, Versioned<Contact>> contacts = new ConcurrentSkipListMap<>(Ids.ORDER);
    private final NavigableMap<String, Versioned<Conversation>> conversations = new ConcurrentSkipListMap<>(Ids.ORDER);
    private final SearchIndex<Contact> contactIndex = new SearchIndex<>(contacts.values(), Contact::id);
    private final SearchIndex<Conversation> conversationIndex = new SearchIndex<>(conversations.values(), Conversation::id);
    private final Object writeLock = new Object();
    /** Objects served malformed, by "type:id" (contact, conversation, company). */
    private final Map<String, Malformation> malformed = new ConcurrentHashMap<>();
    private final List<DeletedConversation> deletedConversations = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Each lead merged into a user, with the user it was merged into. */
    private final Map<String, String> mergedInto = new ConcurrentHashMap<>();
    private volatile Clock clock = Clock.systemUTC();
    private int nextContactIndex;
    private int nextCompanyIndex;
    private int nextConversationIndex;
    private int nextTagIndex;
    private int tagRenames;

    private SampleWorkspace(long seed, Sizes sizes, Instant generatedAt) {
        this.seed = seed;
        this.sizes = sizes;
        this.generatedAt = generatedAt;
        this.factory = new WorkspaceGenerator(seed, sizes, generatedAt.getEpochSecond());
        WorkspaceGenerator.Generated g = factory.generate();
        this.appId = g.appId();
        this.admins = g.admins();
        this.adminsById = byId(admins, Admin::id);
        this.teams = g.teams();
        this.segments = g.segments();
        this.segmentsById = byId(segments, Segment::id);
        g.tags().forEach(t -> tags.put(t.id(), t));
        g.companies().forEach(c -> companies.put(c.id(), c));
        g.contacts().forEach(c -> contacts.put(c.id(), Versioned.initial(c)));
        g.conversations().forEach(c -> conversations.put(c.id(), Versioned.initial(c)));
        this.nextContactIndex = g.contacts().size();
        this.nextCompanyIndex = g.companies().size();
        this.nextConversationIndex = g.conversations().size();
        this.nextTagIndex = g.tags().size();
    }

    /** Generates with "now minus one hour" as generation time, so all data is older than any search delay. */
    public static SampleWorkspace generate(long seed, Sizes sizes) {
        return generate(seed, sizes, Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
    }

    /** created_at/updated_at fall in the 30 days before {@code generatedAt}, never after it. */
    public static SampleWorkspace generate(long seed, Sizes sizes, Instant generatedAt) {
        return new SampleWorkspace(seed, sizes, generatedAt.truncatedTo(ChronoUnit.SECONDS));
    }

    public long seed() {
        return seed;
    }

    public Sizes sizes() {
        return sizes;
    }

    public Instant generatedAt() {
        return generatedAt;
    }

    /** The workspace id: /me's app.id_code, contacts' workspace_id, companies' app_id. */
    public String appId() {
        return appId;
    }

    /** "Now" for mutations, for the server's search-index lag, scroll expiry and rate-limit windows. */
    public Clock clock() {
        return clock;
    }

    public void useClock(Clock newClock) {
        clock = Objects.requireNonNull(newClock);
    }

    /** A simulated clock for tests: UTC, reading "now" from {@code nowMs}. */
    public void useClock(LongSupplier nowMs) {
        useClock(new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(nowMs.getAsLong());
            }
        });
    }

    // ---- JSON accessors, for computing expected rows ------------------------------------------------------

    /** Ids of the live contacts with this role ("user" or "lead"), in id order. */
    public List<String> contactIds(String role) {
        return liveContacts().filter(c -> c.role().equals(role)).map(Contact::id).toList();
    }

    /**
     * Ids of the live contacts with this role, the most recently updated first (ties in id order): the
     * ascending search lists them last, past its first pages.
     */
    public List<String> contactIdsNewestFirst(String role) {
        return liveContacts().filter(c -> c.role().equals(role))
                .sorted(Comparator.comparingLong(Contact::updatedAt).reversed()).map(Contact::id).toList();
    }

    /** Live contacts with this role as GET /contacts/{id} returns them, in id order. */
    public List<JsonNode> contacts(String role) {
        return liveContacts().filter(c -> c.role().equals(role)).map(this::contactJson).toList();
    }

    /** The contact as GET /contacts/{id} returns it, or null when unknown or deleted. */
    public JsonNode contact(String id) {
        Contact c = contactRecord(id);
        return c == null ? null : contactJson(c);
    }

    /** Every company, in id order (the scroll's order). */
    public List<JsonNode> companies() {
        return companies.values().stream().<JsonNode>map(c -> DirectoryJson.company(c, this::tagRecord)).toList();
    }

    public List<JsonNode> admins() {
        return admins.stream().<JsonNode>map(a -> DirectoryJson.admin(a, false)).toList();
    }

    public List<JsonNode> teams() {
        return teams.stream().<JsonNode>map(DirectoryJson::team).toList();
    }

    public List<JsonNode> tags() {
        return tags.values().stream().<JsonNode>map(DirectoryJson::tag).toList();
    }

    /** Segments with their member count, as GET /segments?include_count=true returns them. */
    public List<JsonNode> segments() {
        Map<String, Integer> counts = segmentCounts();
        return segments.stream().<JsonNode>map(s -> DirectoryJson.segment(s, counts.getOrDefault(s.id(), 0))).toList();
    }

    /** Every conversation as search returns it (without parts), in id order. */
    public List<JsonNode> conversations() {
        return conversations.values().stream().map(Versioned::current).filter(Objects::nonNull)
                .<JsonNode>map(c -> ConversationJson.conversation(c, this::tagRecord, null, false)).toList();
    }

    /** All parts of a conversation, in chronological order, including any beyond the API's 500-part cap. */
    public List<JsonNode> parts(String conversationId) {
        return requireConversation(conversationId).parts().stream()
                .<JsonNode>map(p -> ConversationJson.part(p, false)).toList();
    }

    /** A contact's notes, newest first. */
    public List<JsonNode> notes(String contactId) {
        return notesJson(requireContact(contactId));
    }

    /** The items of the contact's event summary ({name, first, last, count, description}). */
    public List<JsonNode> eventSummaries(String contactId) {
        return requireContact(contactId).events().stream().<JsonNode>map(ContactJson::event).toList();
    }

    /** Tags as GET /contacts/{id}/tags returns them (with applied_at and applied_by). */
    public List<JsonNode> contactTags(String contactId) {
        return tagsJson(requireContact(contactId));
    }

    /** All of the contact's companies, full objects. */
    public List<JsonNode> contactCompanies(String contactId) {
        return companiesJson(requireContact(contactId));
    }

    public List<JsonNode> contactSegments(String contactId) {
        return segmentsJson(requireContact(contactId));
    }

    // ---- malformed objects, for the connector's bad-object handling ---------------------------------------

    /** Serves the contact malformed (in search results and GET /contacts/{id}) from now on. */
    public void malformContact(String id, Malformation kind) {
        malformed.put("contact:" + id, kind);
    }

    /** Serves the conversation malformed (in search results and GET /conversations/{id}) from now on. */
    public void malformConversation(String id, Malformation kind) {
        malformed.put("conversation:" + id, kind);
    }

    /** Serves the company malformed (in the scroll and contacts' company lists) from now on. */
    public void malformCompany(String id, Malformation kind) {
        malformed.put("company:" + id, kind);
    }

    /**
     * Malforms {@code count} objects of each of users, leads, conversations and companies, spread
     * evenly over each in id order (fewer when there are fewer). Returns their ids, users' first.
     */
    public List<String> malformSome(int count, Malformation kind) {
        List<String> ids = new ArrayList<>();
        for (String id : spread(contactIds("user"), count)) {
            malformContact(id, kind);
            ids.add(id);
        }
        for (String id : spread(contactIds("lead"), count)) {
            malformContact(id, kind);
            ids.add(id);
        }
        for (String id : spread(conversations.keySet().stream().toList(), count)) {
            malformConversation(id, kind);
            ids.add(id);
        }
        for (String id : spread(companies.keySet().stream().toList(), count)) {
            malformCompany(id, kind);
            ids.add(id);
        }
        return ids;
    }

    private static List<String> spread(List<String> ids, int count) {
        int n = Math.min(count, ids.size());
        List<String> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picked.add(ids.get((int) ((i + 0.5) * ids.size() / n)));
        }
        return picked;
    }

    /** The object as the API serves it: malformed if a test asked for it, else as is. */
    JsonNode onWire(JsonNode object) {
        Malformation kind = malformed.isEmpty() ? null
                : malformed.get(object.path("type").asText() + ":" + object.path("id").asText());
        if (kind == null) {
            return object;
        }
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        kind.apply(copy);
        return copy;
    }

    // ---- mutations, for incremental tests ------------------------------------------------------------------

    /** Bumps updated_at and last_seen_at to now and custom_attributes.profile_revision by one. */
    public String updateContact(String id) {
        synchronized (writeLock) {
            Contact c = requireContact(id);
            putContact(c.touched(nowSeconds()));
            return id;
        }
    }

    /** The contact visits: last_seen_at moves to now, updated_at stays (its event summary is read on activity). */
    public String visit(String id) {
        synchronized (writeLock) {
            Contact c = requireContact(id);
            putContact(c.seen(nowSeconds()));
            return id;
        }
    }

    /** A new contact with role "user" or "lead", created and updated now. */
    public String addContact(String role) {
        if (!"user".equals(role) && !"lead".equals(role)) {
            throw new IllegalArgumentException("role must be user or lead: " + role);
        }
        synchronized (writeLock) {
            Contact c = factory.newContact(nextContactIndex++, role, nowSeconds());
            putContact(c);
            return c.id();
        }
    }

    /** Afterwards GET on the contact and its sub-resources is 404, and search stops returning it. */
    public String deleteContact(String id) {
        synchronized (writeLock) {
            requireContact(id);
            putContact(id, null);
            return id;
        }
    }

    /**
     * Turns a lead into a user in place, as {@code PUT /contacts/{id}} with role user does: same id,
     * role user, updated_at now. Intercom refuses the reverse (400), so there is no user-to-lead.
     */
    public String convertLead(String id) {
        synchronized (writeLock) {
            Contact c = requireContact(id);
            if (!"lead".equals(c.role())) {
                throw new IllegalArgumentException("not a lead: " + id);
            }
            putContact(c.asUser(nowSeconds()));
            return id;
        }
    }

    /**
     * Merges a lead into a user ({@code POST /contacts/merge}): the lead is gone from GET and search
     * at once (GET answers 404, or from API 2.16 410 {@code contact_merged} with a Link to the user) and the user is
     * updated now. The user keeps its own tags and companies: what the merge moves over is not
     * modelled.
     */
    public String mergeLead(String leadId, String userId) {
        synchronized (writeLock) {
            Contact lead = requireContact(leadId);
            Contact user = requireContact(userId);
            if (!"lead".equals(lead.role()) || !"user".equals(user.role())) {
                throw new IllegalArgumentException("merges a lead into a user");
            }
            mergedInto.put(leadId, userId);
            putContact(leadId, null);
            putContact(user.touched(nowSeconds()));
            return leadId;
        }
    }

    /** A deleted conversation as GET /conversations/deleted (API 2.16+) lists it. */
    public record DeletedConversation(String id, long deletedAt) {
    }

    /**
     * Afterwards GET /conversations/{id} answers 404, search stops returning it (after the index
     * lag) and GET /conversations/deleted lists it.
     */
    public String deleteConversation(String id) {
        synchronized (writeLock) {
            requireConversation(id);
            long now = clock.millis();
            conversations.compute(id, (k, old) -> old.next(null, now));
            conversationIndex.changed(now);
            deletedConversations.add(new DeletedConversation(id, now / 1000));
            return id;
        }
    }

    /** Deleted conversations, oldest deletion first. */
    public List<DeletedConversation> deletedConversations() {
        return List.copyOf(deletedConversations);
    }

    /**
     * Applies a tag to a contact. Its updated_at does NOT move: Intercom leaves it (a peer's report,
     * intercom-api-facts Q1), so only a re-read of the contact's tags can notice. Tagging twice is a no-op.
     */
    public String tagContact(String contactId, String tagId) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            if (tagRecord(tagId) == null) {
                throw new NoSuchElementException("no tag " + tagId);
            }
            if (c.tags().stream().noneMatch(t -> t.tagId().equals(tagId))) {
                putContact(c.withTag(factory.newTagLink(tagId, nowSeconds())));
            }
            return contactId;
        }
    }

    /** Adds a note and returns its id. The contact's updated_at does NOT move (the hard case for a connector). */
    public String addNote(String contactId) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            Note note = factory.newNote(nowSeconds());
            putContact(c.withNote(note));
            return note.id();
        }
    }

    // ---- removals: what a connector must retract. None of them moves the parent's updated_at --------------

    /** Takes a tag off a contact: gone from its inline tags and /contacts/{id}/tags (Q1: likely no bump). */
    public String untagContact(String contactId, String tagId) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            if (c.tags().stream().noneMatch(t -> t.tagId().equals(tagId))) {
                throw new NoSuchElementException("contact " + contactId + " has no tag " + tagId);
            }
            putContact(c.withoutTag(tagId));
            return contactId;
        }
    }

    /**
     * Detaches a company from a contact: gone from its inline companies and /contacts/{id}/companies.
     * The company's user_count is left as is: whether and when Intercom recounts it is undocumented.
     */
    public String detachCompany(String contactId, String companyId) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            if (!c.companyIds().contains(companyId)) {
                throw new NoSuchElementException("contact " + contactId + " has no company " + companyId);
            }
            putContact(c.withoutCompany(companyId));
            return contactId;
        }
    }

    /**
     * Puts a contact into a segment or takes it out, as Intercom's segment rules do on their own:
     * /contacts/{id}/segments and a contact search on segment_id both follow. A contact joins only segments
     * of its own person type (user segments for users, "contact" segments for leads).
     */
    public String moveSegmentMembership(String contactId, String segmentId, boolean member) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            Segment s = segmentsById.get(segmentId);
            if (s == null) {
                throw new NoSuchElementException("no segment " + segmentId);
            }
            String personType = "user".equals(c.role()) ? "user" : "contact";
            if (member && !s.personType().equals(personType)) {
                throw new IllegalArgumentException("segment " + segmentId + " holds " + s.personType()
                        + " contacts, not " + c.role() + "s");
            }
            putContact(c.withSegmentMembership(segmentId, member));
            return contactId;
        }
    }

    /** Drops the contact's first social profile and returns its name (the service, e.g. "Twitter"). */
    public String dropSocialProfile(String contactId) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            if (c.profile().socialProfiles().isEmpty()) {
                throw new NoSuchElementException("contact " + contactId + " has no social profile");
            }
            SocialProfile gone = c.profile().socialProfiles().get(0);
            putContact(c.withoutSocialProfile(gone));
            return gone.name();
        }
    }

    /** Deletes a note (a teammate can, in the inbox): gone from the inline notes and /contacts/{id}/notes. */
    public String removeNote(String contactId, String noteId) {
        synchronized (writeLock) {
            Contact c = requireContact(contactId);
            if (c.notes().stream().noneMatch(n -> n.id().equals(noteId))) {
                throw new NoSuchElementException("contact " + contactId + " has no note " + noteId);
            }
            putContact(c.withoutNote(noteId));
            return noteId;
        }
    }

    /** Takes a tag off a conversation. Whether Intercom moves updated_at is unknown (Q1): here it does not. */
    public String untagConversation(String conversationId, String tagId) {
        synchronized (writeLock) {
            Conversation c = requireConversation(conversationId);
            if (c.tags().stream().noneMatch(t -> t.tagId().equals(tagId))) {
                throw new NoSuchElementException("conversation " + conversationId + " has no tag " + tagId);
            }
            putConversation(c.withoutTag(tagId));
            return conversationId;
        }
    }

    /**
     * Deletes a company: gone from the scroll (one opened afterwards), the companies lists and
     * GET /companies/{id} (404 company_not_found), and from every contact's companies, whose updated_at
     * does not move. Intercom lists no deleted companies, so only a re-read of all ids reveals it.
     */
    public String deleteCompany(String companyId) {
        synchronized (writeLock) {
            if (companies.remove(companyId) == null) {
                throw new NoSuchElementException("no company " + companyId);
            }
            liveContacts().filter(c -> c.companyIds().contains(companyId)).toList()
                    .forEach(c -> putContact(c.withoutCompany(companyId)));
            return companyId;
        }
    }

    /** Bumps updated_at and last_request_at to now and raises session_count. */
    public String updateCompany(String id) {
        synchronized (writeLock) {
            Company c = companyRecord(id);
            if (c == null) {
                throw new NoSuchElementException("no company " + id);
            }
            companies.put(id, c.updated(nowSeconds(), factory.sessionsAfterUpdate(c)));
            return id;
        }
    }

    public String addCompany() {
        synchronized (writeLock) {
            Company c = factory.newCompany(nextCompanyIndex++, nowSeconds());
            companies.put(c.id(), c);
            return c.id();
        }
    }

    /** Closes an open conversation or reopens a closed one; updated_at becomes now. */
    public String updateConversation(String id) {
        synchronized (writeLock) {
            putConversation(requireConversation(id).toggled(nowSeconds()));
            return id;
        }
    }

    /** A new open conversation with one part, created now, with a random live contact. */
    public String addConversation() {
        synchronized (writeLock) {
            Conversation c = factory.newConversation(nextConversationIndex++, liveContacts().toList(), nowSeconds());
            putConversation(c);
            return c.id();
        }
    }

    /** Appends a comment part created now, bumps the conversation's updated_at, and returns the part id. */
    public String addConversationPart(String conversationId) {
        synchronized (writeLock) {
            Conversation c = requireConversation(conversationId);
            Contact customer = c.contacts().isEmpty() ? null : contactRecord(c.contacts().get(0).id());
            Part part = factory.newPart(c, customer, nowSeconds());
            putConversation(c.withPart(part));
            return part.id();
        }
    }

    public String addTag() {
        synchronized (writeLock) {
            Tag t = factory.newTag(nextTagIndex++);
            tags.put(t.id(), t);
            return t.id();
        }
    }

    /** Renames a tag. Tags carry no timestamp, so only a full refresh can notice. */
    public String renameTag(String id) {
        synchronized (writeLock) {
            Tag t = tagRecord(id);
            if (t == null) {
                throw new NoSuchElementException("no tag " + id);
            }
            tags.put(id, new Tag(id, factory.renamedTag(t, ++tagRenames)));
            return id;
        }
    }

    // ---- package-private access for the server -------------------------------------------------------------

    /**
     * The contact a merged-away id now lives on, following merge chains up to 3 hops as the 2.16
     * Link header does; null when the id was never merged.
     */
    String canonicalOfMerged(String id) {
        String target = mergedInto.get(id);
        for (int hop = 1; hop < 3 && target != null && mergedInto.containsKey(target); hop++) {
            target = mergedInto.get(target);
        }
        return target;
    }

    Contact contactRecord(String id) {
        Versioned<Contact> v = contacts.get(id);
        return v == null ? null : v.current();
    }

    SearchIndex<Contact> contactIndex() {
        return contactIndex;
    }

    Conversation conversationRecord(String id) {
        Versioned<Conversation> v = conversations.get(id);
        return v == null ? null : v.current();
    }

    SearchIndex<Conversation> conversationIndex() {
        return conversationIndex;
    }

    Company companyRecord(String id) {
        return companies.get(id);
    }

    /** A snapshot of every company in id order, as a scroll sees the workspace when it opens. */
    List<Company> companyRecords() {
        return List.copyOf(companies.values());
    }

    Tag tagRecord(String id) {
        return tags.get(id);
    }

    List<Tag> tagRecords() {
        return List.copyOf(tags.values());
    }

    List<Admin> adminRecords() {
        return admins;
    }

    List<Segment> segmentRecords() {
        return segments;
    }

    Map<String, Integer> segmentCounts() {
        return liveContacts().flatMap(c -> c.segmentIds().stream())
                .collect(Collectors.toMap(Function.identity(), id -> 1, Integer::sum));
    }

    JsonNode contactJson(Contact c) {
        return ContactJson.contact(c, appId, true);
    }

    /** The company as served (malformed if asked for); {@link #companies()} lists them well formed. */
    JsonNode companyJson(Company c) {
        return onWire(DirectoryJson.company(c, this::tagRecord));
    }

    List<JsonNode> notesJson(Contact c) {
        return c.notes().stream().sorted(ContactJson.NEWEST_FIRST)
                .<JsonNode>map(n -> ContactJson.note(n, adminsById.get(n.authorAdminId()), c.id())).toList();
    }

    List<JsonNode> tagsJson(Contact c) {
        return c.tags().stream().<JsonNode>map(link -> ContactJson.appliedTag(tagRecord(link.tagId()), link)).toList();
    }

    List<JsonNode> companiesJson(Contact c) {
        return c.companyIds().stream().map(this::companyRecord).filter(Objects::nonNull).map(this::companyJson).toList();
    }

    List<JsonNode> segmentsJson(Contact c) {
        return c.segmentIds().stream().<JsonNode>map(id -> DirectoryJson.segment(segmentsById.get(id), null)).toList();
    }

    // ---- internals ---------------------------------------------------------------------------------------

    Stream<Contact> liveContacts() {
        return contacts.values().stream().map(Versioned::current).filter(Objects::nonNull);
    }

    private Contact requireContact(String id) {
        Contact c = contactRecord(id);
        if (c == null) {
            throw new NoSuchElementException("no live contact " + id);
        }
        return c;
    }

    private Conversation requireConversation(String id) {
        Conversation c = conversationRecord(id);
        if (c == null) {
            throw new NoSuchElementException("no conversation " + id);
        }
        return c;
    }

    private void putContact(Contact c) {
        putContact(c.id(), c);
    }

    private void putContact(String id, Contact c) {
        long now = clock.millis();
        contacts.compute(id, (k, old) -> old == null ? Versioned.<Contact>initial(null).next(c, now) : old.next(c, now));
        contactIndex.changed(now);
    }

    private void putConversation(Conversation c) {
        long now = clock.millis();
        conversations.compute(c.id(), (k, old) ->
                old == null ? Versioned.<Conversation>initial(null).next(c, now) : old.next(c, now));
        conversationIndex.changed(now);
    }

    private long nowSeconds() {
        return clock.instant().getEpochSecond();
    }

    private static <T> Map<String, T> byId(List<T> items, Function<T, String> id) {
        return items.stream().collect(Collectors.toUnmodifiableMap(id, Function.identity()));
    }
}
