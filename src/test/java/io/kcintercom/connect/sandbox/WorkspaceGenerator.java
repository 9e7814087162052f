package io.kcintercom.connect.sandbox;

import io.kcintercom.connect.sandbox.Model.Admin;
import io.kcintercom.connect.sandbox.Model.Attachment;
import io.kcintercom.connect.sandbox.Model.Author;
import io.kcintercom.connect.sandbox.Model.Company;
import io.kcintercom.connect.sandbox.Model.Contact;
import io.kcintercom.connect.sandbox.Model.ContactProfile;
import io.kcintercom.connect.sandbox.Model.ContactRef;
import io.kcintercom.connect.sandbox.Model.Conversation;
import io.kcintercom.connect.sandbox.Model.Device;
import io.kcintercom.connect.sandbox.Model.EventSummary;
import io.kcintercom.connect.sandbox.Model.Location;
import io.kcintercom.connect.sandbox.Model.Note;
import io.kcintercom.connect.sandbox.Model.Part;
import io.kcintercom.connect.sandbox.Model.Segment;
import io.kcintercom.connect.sandbox.Model.SocialProfile;
import io.kcintercom.connect.sandbox.Model.Tag;
import io.kcintercom.connect.sandbox.Model.TagLink;
import io.kcintercom.connect.sandbox.Model.Team;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Makes the records of a sample workspace. Every object draws from its own seeded random stream, so a given
 * seed, sizes and generation time always give the same workspace. After generation the same factory makes the
 * objects the mutation API adds; it is not thread-safe, and SampleWorkspace calls it under its write lock.
 */
final class WorkspaceGenerator {

    private static final long ADMIN_ID_BASE = 991_267_390L;
    private static final long TEAM_ID_BASE = 5_017_690L;
    private static final int TAG_ID_BASE = 100;
    private static final int CONVERSATION_ID_BASE = 1_000;
    private static final long NOTE_ID_BASE = 10_000;
    private static final long PART_ID_BASE = 100_000_000L;
    private static final long EXTERNAL_ID_BASE = 70_000;
    private static final long DAY = 86_400;
    /** The part count of the conversation that exceeds the API's 500-part cap. */
    private static final int TRUNCATED_CONVERSATION_PARTS = 520;

    private static final String[] FIRST_NAMES = {"Ada", "Bram", "Chioma", "Dmitri", "Elif", "Farah", "Goran", "Hana",
        "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tamar",
        "Uma", "Viktor", "Wen", "Yusuf", "Zoe"};
    private static final String[] LAST_NAMES = {"Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad",
        "Ferreira", "Novak", "Brennan", "Castillo", "Ivanova", "Osei", "Schmidt", "Rahman", "Delgado", "Keller"};
    private static final String[] EMAIL_DOMAINS = {"example.com", "example.org", "mail.example.net", "corp.example"};
    private static final String[] JOB_TITLES = {"Support Engineer", "Customer Success Manager", "Account Executive",
        "Head of Support", "Solutions Architect"};
    private static final String[] TEAM_NAMES = {"Support", "Sales", "Billing", "Onboarding", "Enterprise", "Escalations"};
    private static final String[] TAG_NAMES = {"VIP", "Churn risk", "Beta tester", "Enterprise", "Needs follow-up",
        "Newsletter", "Trial", "Partner", "Bug reporter", "Feature request", "Power user", "Invoice issue",
        "Onboarded", "Champion", "Do not contact", "Webinar 2024", "Upsell", "Annual plan", "Migrated", "GDPR"};
    private static final String[] SEGMENT_NAMES = {"Active", "New", "Slipping away", "Paying", "Free plan",
        "Mobile users", "High value", "Dormant"};
    private static final String[] COMPANY_WORDS = {"Blue", "Sun", "North", "Iron", "Cedar", "Quantum", "Harbor",
        "Lumen", "Atlas", "Maple", "Nimbus", "Orbit", "Pioneer", "Summit", "Vertex"};
    private static final String[] COMPANY_SUFFIXES = {"Labs", "Systems", "Analytics", "Logistics", "Foods",
        "Health", "Studio", "Partners", "Works", "Capital"};
    private static final String[] INDUSTRIES = {"Software", "Retail", "Healthcare", "Finance", "Education", "Media"};
    private static final String[][] PLANS = {{"269315", "Pro"}, {"269316", "Enterprise"}, {"269317", "Starter"}};
    private static final String[] TIERS = {"gold", "silver", "bronze"};
    private static final String[] BROWSERS = {"chrome", "firefox", "safari", "edge"};
    private static final String[] BROWSER_LANGUAGES = {"en-US", "en-GB", "de", "fr", "es", "pt-BR", "ja"};
    private static final String[] OSES = {"OS X 14.4", "Windows 11", "Linux", "iOS 17.4", "Android 14"};
    private static final String[] LANGUAGES = {"fr", "de", "es", "ja"};
    private static final Location[] LOCATIONS = {
        new Location("United States", "New York", "New York", "USA", "NA"),
        new Location("Ireland", "Dublin", "Dublin", "IRL", "EU"),
        new Location("Germany", "Berlin", "Berlin", "DEU", "EU"),
        new Location("Brazil", "Sao Paulo", "Sao Paulo", "BRA", "SA"),
        new Location("Japan", "Tokyo", "Tokyo", "JPN", "AS"),
        new Location("Nigeria", "Lagos", "Lagos", "NGA", "AF"),
        new Location("Australia", "New South Wales", "Sydney", "AUS", "OC")};
    private static final Location NO_LOCATION = new Location(null, null, null, null, null);
    private static final String[] SOCIAL_SERVICES = {"Twitter", "Facebook", "LinkedIn"};
    private static final String[] PLAN_ATTRIBUTES = {"free", "pro", "enterprise"};
    private static final String[] UTM_SOURCES = {"google", "newsletter", "partner", "twitter"};
    private static final String[] UTM_CAMPAIGNS = {"spring_launch", "retargeting", "webinar"};
    private static final String[][] EVENTS = {{"placed-order", "A user placed an order"}, {"viewed-pricing", null},
        {"invited-teammate", "Invited someone to the workspace"}, {"exported-report", null},
        {"upgraded-plan", "Moved to a paid plan"}, {"opened-app", null},
        {"created-project", "Created a new project"}, {"connected-integration", null}};
    private static final String[] NOTE_BODIES = {"<p>Called about the invoice, all sorted.</p>",
        "<p>Interested in the <b>Enterprise</b> plan.</p>", "<p>Asked for a data export &amp; deletion.</p>",
        "<p>Met at the conference, follow up next week.</p>", "<p>Prefers email over chat.</p>"};
    private static final String[] MESSAGES = {"Hi, I can't log in since this morning.",
        "How do I export my data to CSV?", "The invoice shows the wrong VAT number.",
        "Can we add five more seats to our plan?", "Your app crashes when I upload a photo.",
        "Thanks, that fixed it!", "Is there an API for this?", "We'd like a demo for our team."};
    private static final String[] SUBJECTS = {"Question about billing", "Login problem", "Feature request",
        "Re: your trial"};
    private static final String[] TITLES = {"Billing question", "Login issue", "Upgrade request", "Bug report"};
    private static final String[] ISSUE_TYPES = {"Billing", "Technical", "Sales", "Account"};
    private static final String[] PAGES = {"pricing", "settings/billing", "dashboard", "help"};

    private final long seed;
    private final SampleWorkspace.Sizes sizes;
    private final TimeSpread times;
    private final String appId;
    private final List<Admin> admins;
    private final List<Team> teams;
    private final List<Tag> tags;
    private final List<Segment> segments;
    private final List<String> tagIds;
    private final List<String> companyIds = new ArrayList<>();
    private long nextNoteId = NOTE_ID_BASE;
    private long nextPartId = PART_ID_BASE;
    private long mutations;

    WorkspaceGenerator(long seed, SampleWorkspace.Sizes sizes, long generatedAt) {
        this.seed = seed;
        this.sizes = sizes;
        this.times = new TimeSpread(seed, generatedAt);
        this.appId = "sbx" + Long.toString(Ids.mix(seed + Ids.APP) & 0xFFFFFFFFFFL, 36);
        this.teams = makeTeams();
        this.admins = makeAdmins();
        this.tags = new ArrayList<>();
        for (int i = 0; i < sizes.tags(); i++) {
            tags.add(tag(i));
        }
        this.tagIds = tags.stream().map(Tag::id).toList();
        this.segments = makeSegments();
    }

    /** Everything generate() makes, in the order the workspace keeps it. */
    record Generated(String appId, List<Admin> admins, List<Team> teams, List<Tag> tags, List<Segment> segments,
                     List<Company> companies, List<Contact> contacts, List<Conversation> conversations) {
    }

    Generated generate() {
        List<Company> companies = new ArrayList<>();
        for (int i = 0; i < sizes.companies(); i++) {
            Company c = company(i, null);
            companies.add(c);
            companyIds.add(c.id());
        }
        List<Contact> contacts = new ArrayList<>(sizes.users() + sizes.leads());
        int heavyEvery = sizes.heavyContactEvery();
        for (int i = 0; i < sizes.users(); i++) {
            contacts.add(contact(i, "user", null, heavyEvery > 0 && i % heavyEvery == 0));
        }
        for (int j = 0; j < sizes.leads(); j++) {
            contacts.add(contact(sizes.users() + j, "lead", null, heavyEvery > 0 && j % heavyEvery == 0));
        }
        Map<String, Integer> usersPerCompany = new HashMap<>();
        for (Contact c : contacts) {
            c.companyIds().forEach(id -> usersPerCompany.merge(id, 1, Integer::sum));
        }
        companies.replaceAll(c -> c.withUserCount(usersPerCompany.getOrDefault(c.id(), 0)));
        List<Conversation> conversations = new ArrayList<>();
        for (int i = 0; i < sizes.conversations(); i++) {
            boolean truncated = i == 0 && sizes.includeTruncatedConversation();
            conversations.add(conversation(i, contacts, null, truncated));
        }
        return new Generated(appId, List.copyOf(admins), List.copyOf(teams), List.copyOf(tags),
                List.copyOf(segments), companies, contacts, conversations);
    }

    // ---- factories for the mutation API -------------------------------------------------------------------

    Contact newContact(int index, String role, long now) {
        return contact(index, role, now, false);
    }

    Company newCompany(int index, long now) {
        Company c = company(index, now);
        companyIds.add(c.id());
        return c;
    }

    Conversation newConversation(int index, List<Contact> pool, long now) {
        return conversation(index, pool, now, false);
    }

    Tag newTag(int index) {
        return tag(index);
    }

    Note newNote(long now) {
        SplittableRandom r = mutationRng();
        return note(r, now, now);
    }

    Part newPart(Conversation conversation, Contact customer, long now) {
        SplittableRandom r = mutationRng();
        Author author = customer != null && r.nextBoolean() ? contactAuthor(customer) : adminAuthor(pickAdmin(r));
        String body = "<p>" + pick(r, MESSAGES) + "</p>";
        return new Part(String.valueOf(nextPartId++), "comment", body, now, now, now, null, null, author,
                List.of(), null);
    }

    TagLink newTagLink(String tagId, long now) {
        return new TagLink(tagId, now, pickAdmin(mutationRng()).id());
    }

    String renamedTag(Tag tag, int revision) {
        return tag.name().replaceFirst(" \\(v\\d+\\)$", "") + " (v" + revision + ")";
    }

    int sessionsAfterUpdate(Company c) {
        return c.sessionCount() + 1 + mutationRng().nextInt(5);
    }

    private SplittableRandom mutationRng() {
        return Ids.rng(seed, Ids.MUTATION, mutations++);
    }

    // ---- reference data -----------------------------------------------------------------------------------

    private List<Team> makeTeams() {
        List<Team> result = new ArrayList<>();
        for (int j = 0; j < sizes.teams(); j++) {
            List<String> members = new ArrayList<>();
            for (int i = j; i < sizes.admins(); i += sizes.teams()) {
                members.add(String.valueOf(ADMIN_ID_BASE + i));
            }
            String name = TEAM_NAMES[j % TEAM_NAMES.length] + suffix(j, TEAM_NAMES.length);
            result.add(new Team(String.valueOf(TEAM_ID_BASE + j), name, List.copyOf(members)));
        }
        return result;
    }

    private List<Admin> makeAdmins() {
        List<Admin> result = new ArrayList<>();
        for (int i = 0; i < sizes.admins(); i++) {
            SplittableRandom r = Ids.rng(seed, Ids.ADMIN, i);
            String first = pick(r, FIRST_NAMES);
            String last = pick(r, LAST_NAMES);
            String email = (first + "." + last + i + "@" + appId + ".example.com").toLowerCase(Locale.ROOT);
            List<String> teamIds = sizes.teams() == 0 ? List.of()
                    : List.of(String.valueOf(TEAM_ID_BASE + i % sizes.teams()));
            String avatar = r.nextBoolean()
                    ? "https://static.intercomassets.com/avatars/" + (ADMIN_ID_BASE + i) + "/square_128/admin.png" : null;
            result.add(new Admin(String.valueOf(ADMIN_ID_BASE + i), first + " " + last, email, pick(r, JOB_TITLES),
                    r.nextInt(10) == 0, r.nextInt(10) == 0, r.nextInt(5) != 0, teamIds, avatar));
        }
        return result;
    }

    private Tag tag(int index) {
        return new Tag(String.valueOf(TAG_ID_BASE + index),
                TAG_NAMES[index % TAG_NAMES.length] + suffix(index, TAG_NAMES.length));
    }

    private List<Segment> makeSegments() {
        List<Segment> result = new ArrayList<>();
        for (int i = 0; i < sizes.segments(); i++) {
            SplittableRandom r = Ids.rng(seed, Ids.SEGMENT, i);
            long[] cu = times.createdAndUpdated(r);
            String personType = i % 2 == 0 ? "user" : "contact";
            result.add(new Segment(Ids.objectId(cu[0], seed, Ids.SEGMENT, i),
                    SEGMENT_NAMES[i % SEGMENT_NAMES.length] + suffix(i, SEGMENT_NAMES.length), cu[0], cu[1], personType));
        }
        return result;
    }

    // ---- companies and contacts ---------------------------------------------------------------------------

    /** {@code now} is null while generating; then times come from the 30-day spread. */
    private Company company(int index, Long now) {
        SplittableRandom r = Ids.rng(seed, Ids.COMPANY, index);
        long[] cu = now == null ? times.createdAndUpdated(r) : new long[] {now, now};
        String name = pick(r, COMPANY_WORDS) + " " + pick(r, COMPANY_WORDS) + " " + pick(r, COMPANY_SUFFIXES);
        String slug = name.toLowerCase(Locale.ROOT).replace(' ', '-');
        String[] plan = r.nextInt(100) < 40 ? null : PLANS[r.nextInt(PLANS.length)];
        int spendKind = r.nextInt(10);
        Number spend = spendKind < 5 ? Integer.valueOf(r.nextInt(5000))
                : spendKind < 8 ? Double.valueOf(r.nextInt(10_000) + 0.5) : Integer.valueOf(0);
        long horizon = now == null ? times.generatedAt() : now;
        Long lastRequest = r.nextInt(100) < 80 ? TimeSpread.between(r, cu[0], horizon) : null;
        return new Company(Ids.objectId(cu[0], seed, Ids.COMPANY, index), String.valueOf(index + 1), appId, name,
                cu[0] - r.nextLong(400 * DAY), cu[0], cu[1], lastRequest, r.nextInt(500), spend, 0,
                r.nextInt(100) < 70 ? Integer.valueOf(1 + r.nextInt(5000)) : null,
                r.nextInt(100) < 80 ? "https://" + slug + ".example.com" : null,
                r.nextInt(100) < 70 ? pick(r, INDUSTRIES) : null,
                plan == null ? null : plan[0], plan == null ? null : plan[1],
                pickDistinct(r, tagIds, r.nextInt(3)),
                pickDistinct(r, segments.stream().map(Segment::id).toList(), r.nextInt(2)),
                pick(r, TIERS), r.nextInt(100) < 70 ? Integer.valueOf(1 + r.nextInt(10_000)) : null, 0);
    }

    /** Heavy contacts carry more than 10 tags, companies and notes, so their inline lists are truncated. */
    private Contact contact(int index, String role, Long now, boolean heavy) {
        SplittableRandom r = Ids.rng(seed, Ids.CONTACT, index);
        long[] cu = now == null ? times.createdAndUpdated(r) : new long[] {now, now};
        long created = cu[0];
        long updated = cu[1];
        long horizon = now == null ? times.generatedAt() : now;
        boolean user = "user".equals(role);
        String first = pick(r, FIRST_NAMES);
        String last = pick(r, LAST_NAMES);
        String name = user || r.nextInt(100) < 60 ? first + " " + last : null;
        String email = user || r.nextInt(100) < 60
                ? (first + "." + last + "." + index + "@" + pick(r, EMAIL_DOMAINS)).toLowerCase(Locale.ROOT) : null;
        Long lastSeen = r.nextInt(100) < 80 ? Long.valueOf(TimeSpread.between(r, created, updated)) : null;
        ContactProfile profile = profile(r, created, updated);

        int tagCount = heavy ? 11 + r.nextInt(4) : r.nextInt(sizes.tagsPerContact() + 1);
        List<TagLink> tagLinks = new ArrayList<>();
        for (String tagId : pickDistinct(r, tagIds, tagCount)) {
            tagLinks.add(new TagLink(tagId, TimeSpread.between(r, created, updated), pickAdmin(r).id()));
        }
        // The very first user is the heaviest: its companies and notes take two pages of their sub-resources.
        boolean heaviest = heavy && index == 0;
        int companyCount = heaviest ? 17 : heavy ? 11 + r.nextInt(4) : r.nextInt(sizes.companiesPerContact() + 1);
        String personType = user ? "user" : "contact";
        List<String> ownSegments = segments.stream().filter(s -> s.personType().equals(personType)).map(Segment::id).toList();

        int noteCount = heaviest ? 55 : heavy ? 12 : r.nextInt(sizes.notesPerContact() + 1);
        List<Note> notes = new ArrayList<>();
        for (int n = 0; n < noteCount; n++) {
            notes.add(note(r, created, horizon));
        }
        int eventCount = r.nextInt(Math.min(sizes.eventsPerContact(), EVENTS.length) + 1);
        List<EventSummary> events = new ArrayList<>();
        for (int e : distinctIndexes(r, EVENTS.length, eventCount)) {
            long first1 = TimeSpread.between(r, created, updated);
            int count = 1 + r.nextInt(40);
            long lastAt = count == 1 ? first1 : TimeSpread.between(r, first1, updated);
            events.add(new EventSummary(EVENTS[e][0], first1, lastAt, count, EVENTS[e][1]));
        }
        String id = Ids.objectId(created, seed, Ids.CONTACT, index);
        return new Contact(id, role, user ? String.valueOf(EXTERNAL_ID_BASE + index) : null, email, name,
                created, updated, user ? Long.valueOf(created) : null, lastSeen, 0, profile, List.copyOf(tagLinks),
                pickDistinct(r, companyIds, companyCount), pickDistinct(r, ownSegments, r.nextInt(3)),
                List.copyOf(notes), List.copyOf(events));
    }

    private ContactProfile profile(SplittableRandom r, long created, long updated) {
        boolean web = r.nextInt(100) < 85;
        Device device = r.nextInt(100) < 30 ? device(r, created, updated) : null;
        List<SocialProfile> social = new ArrayList<>();
        for (int i : distinctIndexes(r, SOCIAL_SERVICES.length, r.nextInt(3))) {
            String service = SOCIAL_SERVICES[i];
            social.add(new SocialProfile(service,
                    "https://" + service.toLowerCase(Locale.ROOT) + ".com/user" + r.nextInt(1_000_000)));
        }
        boolean utm = r.nextInt(100) < 30;
        return new ContactProfile(
                r.nextInt(100) < 50 ? String.format(Locale.ROOT, "+1555%07d", r.nextInt(10_000_000)) : null,
                r.nextInt(100) < 40 ? "https://static.intercomassets.com/avatars/" + r.nextInt(1_000_000)
                        + "/square_128/avatar.png" : null,
                r.nextInt(100) < 40 && !admins.isEmpty() ? Long.valueOf(pickAdmin(r).id()) : null,
                r.nextInt(100) < 3, r.nextInt(100) < 2, r.nextInt(100) < 8,
                r.nextInt(100) < 10 ? pick(r, LANGUAGES) : null,
                web ? pick(r, BROWSERS) : null,
                web ? (60 + r.nextInt(70)) + ".0." + r.nextInt(5000) + "." + r.nextInt(200) : null,
                web ? pick(r, BROWSER_LANGUAGES) : null,
                web ? pick(r, OSES) : null,
                r.nextInt(100) < 85 ? LOCATIONS[r.nextInt(LOCATIONS.length)] : NO_LOCATION,
                device, List.copyOf(social),
                maybeBetween(r, 30, created, updated), maybeBetween(r, 30, created, updated),
                maybeBetween(r, 30, created, updated), maybeBetween(r, 20, created, updated),
                pick(r, PLAN_ATTRIBUTES), r.nextInt(100) < 80 ? Integer.valueOf(1 + r.nextInt(200)) : null,
                r.nextInt(100) < 70 ? Double.valueOf(r.nextInt(2000) * 0.5) : null, r.nextBoolean(),
                utm ? pick(r, UTM_SOURCES) : null, utm ? pick(r, UTM_CAMPAIGNS) : null,
                r.nextInt(100) < 30 ? "https://www.example.com/blog/post-" + r.nextInt(100) : null);
    }

    private static Device device(SplittableRandom r, long created, long updated) {
        long seen = TimeSpread.between(r, created, updated);
        return r.nextBoolean()
                ? new Device("android", "Sample App", "5." + r.nextInt(10) + ".0", "Pixel " + (5 + r.nextInt(4)),
                        String.valueOf(11 + r.nextInt(4)), String.valueOf(28 + r.nextInt(6)), seen)
                : new Device("ios", "Sample App", "5." + r.nextInt(10) + ".0", "iPhone" + (12 + r.nextInt(4)) + ",1",
                        "17." + r.nextInt(5), "15." + r.nextInt(3) + ".0", seen);
    }

    private Note note(SplittableRandom r, long from, long to) {
        return new Note(String.valueOf(nextNoteId++), TimeSpread.between(r, from, to), pickAdmin(r).id(),
                pick(r, NOTE_BODIES));
    }

    // ---- conversations ------------------------------------------------------------------------------------

    private Conversation conversation(int index, List<Contact> pool, Long now, boolean truncated) {
        SplittableRandom r = Ids.rng(seed, Ids.CONVERSATION, index);
        long[] cu = now != null ? new long[] {now, now}
                : truncated ? new long[] {times.generatedAt() - 20 * DAY, times.generatedAt() - 2 * 3600}
                : times.createdAndUpdated(r);
        long created = cu[0];
        long updated = cu[1];
        Contact customer = pool.isEmpty() ? null : pool.get(r.nextInt(pool.size()));
        List<ContactRef> refs = new ArrayList<>();
        if (customer != null) {
            refs.add(new ContactRef(customer.id(), customer.externalId()));
            Contact other = pool.get(r.nextInt(pool.size()));
            if (r.nextInt(10) == 0 && !other.id().equals(customer.id())) {
                refs.add(new ContactRef(other.id(), other.externalId()));
            }
        }
        int kind = r.nextInt(100);
        boolean customerInitiated = customer != null && kind < 60;
        String deliveredAs = customerInitiated ? "customer_initiated" : kind < 90 ? "admin_initiated" : "automated";
        Author sourceAuthor = customerInitiated ? contactAuthor(customer) : adminAuthor(pickAdmin(r));
        boolean email = r.nextInt(100) < 30;
        List<Attachment> sourceAttachments = r.nextInt(100) < 15 ? List.of(attachment(r)) : List.of();
        Long adminAssignee = r.nextInt(100) < 70 ? Long.valueOf(pickAdmin(r).id()) : null;
        Long teamAssignee = !teams.isEmpty() && r.nextInt(100) < 50
                ? Long.valueOf(teams.get(r.nextInt(teams.size())).id()) : null;
        int s = r.nextInt(100);
        String state = now != null || s < 40 ? "open" : s < 90 ? "closed" : "snoozed";
        List<TagLink> convTags = new ArrayList<>();
        for (String tagId : pickDistinct(r, tagIds, r.nextInt(3))) {
            convTags.add(new TagLink(tagId, TimeSpread.between(r, created, updated), pickAdmin(r).id()));
        }
        int partCount = truncated ? TRUNCATED_CONVERSATION_PARTS : 1 + r.nextInt(Math.max(1, sizes.maxPartsPerConversation()));
        List<Part> parts = parts(r, partCount, created, updated, customer, state);
        Part lastPart = parts.get(parts.size() - 1);
        boolean customerWaiting = !"closed".equals(state) && isCustomer(lastPart.author());
        return new Conversation(String.valueOf(CONVERSATION_ID_BASE + index), created, updated,
                email ? "email" : "conversation", String.valueOf(403_918_000L + index), deliveredAs,
                email ? pick(r, SUBJECTS) : "", "<p>" + pick(r, MESSAGES) + "</p>", sourceAuthor, sourceAttachments,
                customerInitiated && !email ? "https://app.example.com/" + pick(r, PAGES) : null, List.copyOf(refs),
                adminAssignee, teamAssignee, state, r.nextBoolean(),
                customerWaiting ? Long.valueOf(lastPart.createdAt()) : null,
                "snoozed".equals(state) ? Long.valueOf(updated + DAY * (1 + r.nextInt(7))) : null,
                r.nextInt(100) < 10 ? "priority" : "not_priority", r.nextInt(100) < 20 ? pick(r, TITLES) : null,
                List.copyOf(convTags), r.nextInt(100) < 50 ? pick(r, ISSUE_TYPES) : null, parts);
    }

    /** Parts in chronological order; the last one is updated exactly at the conversation's updated_at. */
    private List<Part> parts(SplittableRandom r, int n, long created, long updated, Contact customer, String state) {
        long[] at = new long[n];
        for (int i = 0; i < n; i++) {
            at[i] = TimeSpread.between(r, created, updated);
        }
        Arrays.sort(at);
        at[n - 1] = updated;
        List<Part> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            String type;
            Author author;
            String body = null;
            String assignedTo = null;
            int roll = r.nextInt(100);
            if (last && !"open".equals(state)) {
                type = "closed".equals(state) ? "close" : "snoozed";
                author = adminAuthor(pickAdmin(r));
            } else if (roll < 45 && customer != null) {
                type = "comment";
                author = contactAuthor(customer);
                body = "<p>" + pick(r, MESSAGES) + "</p>";
            } else if (roll < 75) {
                type = "comment";
                author = adminAuthor(pickAdmin(r));
                body = "<p>" + pick(r, MESSAGES) + "</p>";
            } else if (roll < 85) {
                type = "note";
                author = adminAuthor(pickAdmin(r));
                body = pick(r, NOTE_BODIES);
            } else if (roll < 92) {
                type = "assignment";
                author = adminAuthor(pickAdmin(r));
                assignedTo = pickAdmin(r).id();
            } else if (roll < 96) {
                type = "conversation_attribute_updated_by_admin";
                author = new Author("bot", String.valueOf(ADMIN_ID_BASE - 1), "Operator",
                        "operator+" + appId + "@intercom.io");
            } else {
                type = "open";
                author = adminAuthor(pickAdmin(r));
            }
            List<Attachment> attachments = "comment".equals(type) && r.nextInt(100) < 8
                    ? List.of(attachment(r)) : List.of();
            long partUpdated = !last && r.nextInt(10) == 0 ? Math.min(updated, at[i] + 1 + r.nextInt(600)) : at[i];
            parts.add(new Part(String.valueOf(nextPartId++), type, body, at[i], partUpdated, partUpdated,
                    assignedTo == null ? null : "admin", assignedTo, author, attachments, null));
        }
        return List.copyOf(parts);
    }

    private static boolean isCustomer(Author a) {
        return "user".equals(a.type()) || "lead".equals(a.type());
    }

    private static Attachment attachment(SplittableRandom r) {
        int n = r.nextInt(100_000);
        String hash = Long.toHexString(r.nextLong() & 0xFFFFFFFFFFFFL);
        if (r.nextBoolean()) {
            String fileName = "screenshot-" + n + ".png";
            return new Attachment("upload", fileName, "https://downloads.intercomcdn.com/i/o/" + n + "/" + hash + "/" + fileName,
                    "image/png", 20_000 + r.nextInt(500_000), 640 + r.nextInt(1280), 480 + r.nextInt(720));
        }
        String fileName = "invoice-" + n + ".pdf";
        return new Attachment("upload", fileName, "https://downloads.intercomcdn.com/i/o/" + n + "/" + hash + "/" + fileName,
                "application/pdf", 50_000 + r.nextInt(2_000_000), null, null);
    }

    private static Author contactAuthor(Contact c) {
        return new Author(c.role(), c.id(), c.name(), c.email());
    }

    private static Author adminAuthor(Admin a) {
        return new Author("admin", a.id(), a.name(), a.email());
    }

    // ---- picking ------------------------------------------------------------------------------------------

    private Admin pickAdmin(SplittableRandom r) {
        return admins.get(r.nextInt(admins.size()));
    }

    private static String pick(SplittableRandom r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    /** Names repeat once the word list runs out; a number keeps them unique. */
    private static String suffix(int index, int listSize) {
        return index < listSize ? "" : " " + (index / listSize + 1);
    }

    private static List<String> pickDistinct(SplittableRandom r, List<String> pool, int k) {
        List<String> picked = new ArrayList<>();
        for (int i : distinctIndexes(r, pool.size(), k)) {
            picked.add(pool.get(i));
        }
        return List.copyOf(picked);
    }

    /** k distinct indexes below n (all of them, shuffled, if k >= n), in pick order. */
    private static int[] distinctIndexes(SplittableRandom r, int n, int k) {
        k = Math.min(k, n);
        if (k * 2 <= n) {
            Set<Integer> chosen = new LinkedHashSet<>();
            while (chosen.size() < k) {
                chosen.add(r.nextInt(n));
            }
            return chosen.stream().mapToInt(Integer::intValue).toArray();
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        return Arrays.copyOf(all, k);
    }

    private static Long maybeBetween(SplittableRandom r, int percent, long from, long to) {
        return r.nextInt(100) < percent ? Long.valueOf(TimeSpread.between(r, from, to)) : null;
    }
}
