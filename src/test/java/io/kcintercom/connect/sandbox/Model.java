package io.kcintercom.connect.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * The workspace's data as small immutable records. JSON is rendered from these on demand (see the *Json
 * classes) because 100k contacts held as Jackson trees would not fit a test JVM's heap. Timestamps are unix
 * seconds; {@code null} means the API sends null.
 */
final class Model {

    private Model() {
    }

    record Admin(String id, String name, String email, String jobTitle, boolean awayModeEnabled,
                 boolean awayModeReassign, boolean hasInboxSeat, List<String> teamIds, String avatarUrl) {
    }

    record Team(String id, String name, List<String> adminIds) {
    }

    record Tag(String id, String name) {
    }

    record Segment(String id, String name, long createdAt, long updatedAt, String personType) {
    }

    /** A tag as applied to a contact or conversation. */
    record TagLink(String tagId, long appliedAt, String appliedByAdminId) {
    }

    record Company(String id, String companyId, String appId, String name, long remoteCreatedAt, long createdAt,
                   long updatedAt, Long lastRequestAt, int sessionCount, Number monthlySpend, int userCount,
                   Integer size, String website, String industry, String planId, String planName,
                   List<String> tagIds, List<String> segmentIds, String tier, Integer employees, int revision) {

        Company updated(long now, int sessions) {
            return new Company(id, companyId, appId, name, remoteCreatedAt, createdAt, now, now, sessions,
                    monthlySpend, userCount, size, website, industry, planId, planName, tagIds, segmentIds, tier,
                    employees, revision + 1);
        }

        Company withUserCount(int users) {
            return new Company(id, companyId, appId, name, remoteCreatedAt, createdAt, updatedAt, lastRequestAt,
                    sessionCount, monthlySpend, users, size, website, industry, planId, planName, tagIds,
                    segmentIds, tier, employees, revision);
        }
    }

    record Location(String country, String region, String city, String countryCode, String continentCode) {
    }

    /** The mobile SDK fields of a contact seen on one platform ("android" or "ios"). */
    record Device(String platform, String appName, String appVersion, String device, String osVersion,
                  String sdkVersion, long lastSeenAt) {
    }

    record SocialProfile(String name, String url) {
    }

    /** Contact fields that the mutation API never changes. */
    record ContactProfile(String phone, String avatarUrl, Long ownerId, boolean hasHardBounced,
                          boolean markedEmailAsSpam, boolean unsubscribedFromEmails, String languageOverride,
                          String browser, String browserVersion, String browserLanguage, String os,
                          Location location, Device device, List<SocialProfile> socialProfiles,
                          Long lastRepliedAt, Long lastContactedAt, Long lastEmailOpenedAt,
                          Long lastEmailClickedAt, String plan, Integer seats, Double mrr, Boolean betaUser,
                          String utmSource, String utmCampaign, String referrer) {
    }

    record Note(String id, long createdAt, String authorAdminId, String body) {
    }

    record EventSummary(String name, long first, long last, int count, String description) {
    }

    record Contact(String id, String role, String externalId, String email, String name, long createdAt,
                   long updatedAt, Long signedUpAt, Long lastSeenAt, int revision, ContactProfile profile,
                   List<TagLink> tags, List<String> companyIds, List<String> segmentIds, List<Note> notes,
                   List<EventSummary> events) {

        Contact touched(long now) {
            return new Contact(id, role, externalId, email, name, createdAt, now, signedUpAt, now, revision + 1,
                    profile, tags, companyIds, segmentIds, notes, events);
        }

        /** A lead turned user in place ({@code PUT /contacts/{id}} with role user): same id, updated now. */
        Contact asUser(long now) {
            return new Contact(id, "user", externalId, email, name, createdAt, now, signedUpAt, lastSeenAt,
                    revision + 1, profile, tags, companyIds, segmentIds, notes, events);
        }

        Contact withTag(TagLink link, long now) {
            List<TagLink> newTags = new ArrayList<>(tags);
            newTags.add(link);
            return new Contact(id, role, externalId, email, name, createdAt, now, signedUpAt, lastSeenAt,
                    revision, profile, List.copyOf(newTags), companyIds, segmentIds, notes, events);
        }

        /** Notes do not bump updated_at: whether Intercom does is unverified, and this is the harder case. */
        Contact withNote(Note note) {
            List<Note> newNotes = new ArrayList<>(notes);
            newNotes.add(note);
            return new Contact(id, role, externalId, email, name, createdAt, updatedAt, signedUpAt, lastSeenAt,
                    revision, profile, tags, companyIds, segmentIds, List.copyOf(newNotes), events);
        }
    }

    /** Who wrote a conversation message or part: type is admin, user, lead or bot. */
    record Author(String type, String id, String name, String email) {
    }

    record Attachment(String type, String name, String url, String contentType, long filesize, Integer width,
                      Integer height) {
    }

    record ContactRef(String id, String externalId) {
    }

    record Part(String id, String partType, String body, long createdAt, long updatedAt, long notifiedAt,
                String assignedToType, String assignedToId, Author author, List<Attachment> attachments,
                String externalId) {
    }

    record Conversation(String id, long createdAt, long updatedAt, String sourceType, String sourceId,
                        String deliveredAs, String subject, String sourceBody, Author sourceAuthor,
                        List<Attachment> sourceAttachments, String sourceUrl, List<ContactRef> contacts,
                        Long adminAssigneeId, Long teamAssigneeId, String state, boolean read, Long waitingSince,
                        Long snoozedUntil, String priority, String title, List<TagLink> tags, String issueType,
                        List<Part> parts) {

        boolean open() {
            return !"closed".equals(state);
        }

        /** Mirrors what a teammate does in the inbox: close an open conversation, reopen a closed one. */
        Conversation toggled(long now) {
            String newState = open() ? "closed" : "open";
            return new Conversation(id, createdAt, now, sourceType, sourceId, deliveredAs, subject, sourceBody,
                    sourceAuthor, sourceAttachments, sourceUrl, contacts, adminAssigneeId, teamAssigneeId,
                    newState, true, null, null, priority, title, tags, issueType, parts);
        }

        Conversation withPart(Part part) {
            List<Part> newParts = new ArrayList<>(parts);
            newParts.add(part);
            boolean fromCustomer = "user".equals(part.author().type()) || "lead".equals(part.author().type());
            Long waiting = fromCustomer && open() ? Long.valueOf(part.createdAt()) : null;
            return new Conversation(id, createdAt, Math.max(updatedAt, part.updatedAt()), sourceType, sourceId,
                    deliveredAs, subject, sourceBody, sourceAuthor, sourceAttachments, sourceUrl, contacts,
                    adminAssigneeId, teamAssigneeId, state, !fromCustomer, waiting, snoozedUntil, priority, title,
                    tags, issueType, List.copyOf(newParts));
        }
    }
}
