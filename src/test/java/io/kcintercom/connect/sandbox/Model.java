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

        ContactProfile withSocialProfiles(List<SocialProfile> profiles) {
            return new ContactProfile(phone, avatarUrl, ownerId, hasHardBounced, markedEmailAsSpam,
                    unsubscribedFromEmails, languageOverride, browser, browserVersion, browserLanguage, os, location,
                    device, List.copyOf(profiles), lastRepliedAt, lastContactedAt, lastEmailOpenedAt,
                    lastEmailClickedAt, plan, seats, mrr, betaUser, utmSource, utmCampaign, referrer);
        }
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

        /** A visit: last_seen_at moves, updated_at does not (activity is no change of the contact's own data). */
        Contact seen(long now) {
            return new Contact(id, role, externalId, email, name, createdAt, updatedAt, signedUpAt, now, revision,
                    profile, tags, companyIds, segmentIds, notes, events);
        }

        /** A lead turned user in place ({@code PUT /contacts/{id}} with role user): same id, updated now. */
        Contact asUser(long now) {
            return new Contact(id, "user", externalId, email, name, createdAt, now, signedUpAt, lastSeenAt,
                    revision + 1, profile, tags, companyIds, segmentIds, notes, events);
        }

        /**
         * The links below change a contact without moving its updated_at: Intercom does not move it for an
         * added tag (confirmed by a peer, intercom-api-facts Q1), likely not for a removed one, and for
         * companies, segments, notes and social profiles it is undocumented, so the fake takes the hard case.
         */
        Contact withTag(TagLink link) {
            List<TagLink> newTags = new ArrayList<>(tags);
            newTags.add(link);
            return withLinks(profile, newTags, companyIds, segmentIds, notes);
        }

        Contact withoutTag(String tagId) {
            return withLinks(profile, tags.stream().filter(t -> !t.tagId().equals(tagId)).toList(), companyIds,
                    segmentIds, notes);
        }

        Contact withoutCompany(String companyId) {
            return withLinks(profile, tags, companyIds.stream().filter(id -> !id.equals(companyId)).toList(),
                    segmentIds, notes);
        }

        Contact withSegmentMembership(String segmentId, boolean member) {
            if (segmentIds.contains(segmentId) == member) {
                return this;
            }
            List<String> newSegments = new ArrayList<>(segmentIds);
            newSegments.remove(segmentId);
            if (member) {
                newSegments.add(segmentId);
            }
            return withLinks(profile, tags, companyIds, newSegments, notes);
        }

        Contact withNote(Note note) {
            List<Note> newNotes = new ArrayList<>(notes);
            newNotes.add(note);
            return withLinks(profile, tags, companyIds, segmentIds, newNotes);
        }

        Contact withoutNote(String noteId) {
            return withLinks(profile, tags, companyIds, segmentIds,
                    notes.stream().filter(n -> !n.id().equals(noteId)).toList());
        }

        Contact withoutSocialProfile(SocialProfile gone) {
            List<SocialProfile> kept = profile.socialProfiles().stream().filter(p -> !p.equals(gone)).toList();
            return withLinks(profile.withSocialProfiles(kept), tags, companyIds, segmentIds, notes);
        }

        private Contact withLinks(ContactProfile newProfile, List<TagLink> newTags, List<String> newCompanyIds,
                                  List<String> newSegmentIds, List<Note> newNotes) {
            return new Contact(id, role, externalId, email, name, createdAt, updatedAt, signedUpAt, lastSeenAt,
                    revision, newProfile, List.copyOf(newTags), List.copyOf(newCompanyIds),
                    List.copyOf(newSegmentIds), List.copyOf(newNotes), events);
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

        /** Whether Intercom moves updated_at when a tag leaves a conversation is unknown: the fake does not. */
        Conversation withoutTag(String tagId) {
            return new Conversation(id, createdAt, updatedAt, sourceType, sourceId, deliveredAs, subject, sourceBody,
                    sourceAuthor, sourceAttachments, sourceUrl, contacts, adminAssigneeId, teamAssigneeId, state,
                    read, waitingSince, snoozedUntil, priority, title,
                    tags.stream().filter(t -> !t.tagId().equals(tagId)).toList(), issueType, parts);
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
