/**
 * The sample workspace: a seeded, in-memory Intercom workspace ({@link io.kcintercom.connect.sandbox.SampleWorkspace})
 * and a local fake of the Intercom REST API serving it ({@link io.kcintercom.connect.sandbox.FakeIntercom}), for
 * integration tests, the local demo and benchmarks.
 *
 * <pre>{@code
 * SampleWorkspace ws = SampleWorkspace.generate(42, SampleWorkspace.Sizes.defaults());
 * try (FakeIntercom intercom = FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(166).build())) {
 *     // point the connector at intercom.baseUrl() with token "sample-token", then e.g.
 *     ws.updateContact(ws.contactIds("user").get(0));
 *     intercom.failNext("GET /conversations/{id}", 2, FakeIntercom.Fault.HTTP_500);
 *     long searches = intercom.requestCounts().getOrDefault("POST /contacts/search", 0L);
 * }
 * }</pre>
 *
 * <p>Only the JDK, Jackson and slf4j are used. Everything but those two public classes is package-private.
 */
package io.kcintercom.connect.sandbox;
